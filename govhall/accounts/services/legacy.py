"""Import of accounts from an older system's CSV (旧系统账号整合), merged by ID number.

File: UTF-8 (with or without BOM) or GB18030, header row, columns
``id_number,name,mobile,password_hash`` (``email`` optional; extra columns ignored).
``password_hash`` is empty (the person sets a password by SMS code on first visit), a
bcrypt hash (``$2a$``/``$2b$``/``$2y$``, the usual scheme of Java and PHP systems) or a
Django hash string of an installed hasher. Hashes move to PBKDF2 at first sign-in.

Rules (docs/identity.md has the table): rows of one ID number merge when they agree
(empty values fill in); when they disagree on a value the ID number is not imported. An
ID number that already has an account merges only into empty fields (mobile, password);
a different name or a different non-empty value is a conflict and the account stays as
it was. A mobile already used by another account is not attached. Every row that is not
imported as-is appears in the report — nothing is overwritten or dropped silently.
The whole file is one transaction; ``dry_run`` computes the same report and rolls back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govhall.core import context, spreadsheets
from govhall.core.identifiers import mask_id_number, validate_id_number
from govhall.core.services import audit

from ..models import LegacyImport, Person, RealNameLevel, mask_mobile
from . import phone
from .registration import NAME_MAX

REQUIRED_COLUMNS = ("id_number", "name", "mobile", "password_hash")
FIELDS = ("name", "mobile", "password_hash", "email")
CHUNK = 500
FIELD_LABELS = {
    "name": _("姓名"),
    "mobile": _("手机号码"),
    "password_hash": _("密码摘要"),
    "email": _("电子邮箱"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (message in Chinese)."""


@dataclass
class Row:
    line: int
    id_number: str
    name: str
    mobile: str
    password_hash: str
    email: str


@dataclass
class Report:
    total_rows: int = 0
    created: int = 0
    merged: int = 0
    duplicates: int = 0
    conflicts: int = 0
    errors: int = 0
    entries: list[dict] = field(default_factory=list)

    def add(self, kind: str, line: int, id_number: str, code: str, message: str, **extra):
        entry = {
            "kind": kind,
            "line": line,
            "id_number": mask_id_number(id_number) if id_number else "",
            "code": code,
            "message": message,
        }
        entry.update(extra)
        self.entries.append(entry)
        if kind == "conflict":
            self.conflicts += 1
        elif kind == "error":
            self.errors += 1
        elif kind == "duplicate":
            self.duplicates += 1

    def by_code(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry["code"]] = counts.get(entry["code"], 0) + 1
        return counts

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["line", "kind", "code", "id_number", "field", "existing", "incoming", "message"]
        )
        for e in self.entries:
            writer.writerow(
                [
                    e["line"],
                    e["kind"],
                    e["code"],
                    e["id_number"],
                    e.get("field", ""),
                    e.get("existing", ""),
                    e.get("incoming", ""),
                    e["message"],
                ]
            )
        return out.getvalue()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("文件编码无法识别，请使用UTF-8或GB18030编码的CSV文件。"))


def convert_hash(raw: str) -> str:
    """The hash as Django stores it, '' for none; ValueError for an unknown scheme."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if raw[:4] in ("$2a$", "$2b$", "$2y$") and len(raw) == 60:
        return "bcrypt$$2b$" + raw[4:]
    identify_hasher(raw)  # raises ValueError when no installed hasher knows it
    return raw


def _display(field_name: str, value: str) -> str:
    if not value:
        return ""
    if field_name == "mobile":
        return mask_mobile(value)
    if field_name == "password_hash":
        return _("（已设置）")
    return value


def parse(data: bytes, report: Report) -> list[Row]:
    try:
        spreadsheets.check_csv(data)
    except spreadsheets.SpreadsheetRefused as exc:
        raise ImportFileError(exc.message) from None
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(_("CSV表头缺少列：") + "、".join(missing) + "。")
    reader.fieldnames = columns
    rows = []
    for index, raw in enumerate(reader):
        if index >= spreadsheets.MAX_CSV_ROWS:
            raise ImportFileError(spreadsheets.too_many_csv_rows(spreadsheets.MAX_CSV_ROWS).message)
        line = index + 2
        report.total_rows += 1
        values = {k: (raw.get(k) or "").strip() for k in (*REQUIRED_COLUMNS, "email")}
        result = validate_id_number(values["id_number"])
        if not result.valid:
            report.add(
                "error",
                line,
                "",
                "invalid_id_number",
                _("身份证号码无效：") + "；".join(e.message for e in result.errors),
            )
            continue
        number = result.normalized
        name = " ".join(values["name"].split())
        if not name:
            report.add("error", line, number, "missing_name", _("姓名为空。"))
            continue
        if len(name) > NAME_MAX:
            report.add(
                "error",
                line,
                number,
                "name_too_long",
                _("姓名超过%(max)s个字。") % {"max": NAME_MAX},
            )
            continue
        mobile = ""
        if values["mobile"]:
            try:
                mobile = phone.validate_mobile(values["mobile"])
            except ValidationError:
                report.add("error", line, number, "invalid_mobile", _("手机号码格式不正确。"))
                continue
        try:
            password_hash = convert_hash(values["password_hash"])
        except ValueError:
            report.add(
                "error",
                line,
                number,
                "unsupported_password_hash",
                _("密码摘要格式不受支持（支持bcrypt或留空）。"),
            )
            continue
        rows.append(Row(line, number, name, mobile, password_hash, values["email"][:254]))
    return rows


def merge_rows(rows: list[Row], report: Report) -> list[Row]:
    """One candidate per ID number; disagreeing groups are reported and left out."""
    groups: OrderedDict[str, list[Row]] = OrderedDict()
    for row in rows:
        groups.setdefault(row.id_number, []).append(row)
    merged = []
    for number, group in groups.items():
        first = group[0]
        conflicts = []
        for name in FIELDS:
            values = OrderedDict()
            for row in group:
                value = getattr(row, name)
                if value:
                    values.setdefault(value, row.line)
            if len(values) > 1:
                conflicts.append((name, values))
        if conflicts:
            for name, values in conflicts:
                lines = list(values.values())
                report.add(
                    "conflict",
                    lines[1],
                    number,
                    f"{name}_in_file",
                    _("同一身份证号码在文件第%(lines)s行的%(field)s不一致，该号码未导入。")
                    % {"lines": "、".join(str(x) for x in lines), "field": FIELD_LABELS[name]},
                    field=name,
                    existing=_display(name, next(iter(values))),
                    incoming=_display(name, list(values)[1]),
                )
            continue
        candidate = Row(first.line, number, "", "", "", "")
        for name in FIELDS:
            setattr(
                candidate, name, next((getattr(r, name) for r in group if getattr(r, name)), "")
            )
        for row in group[1:]:
            report.add(
                "duplicate",
                row.line,
                number,
                "duplicate_row",
                _("与第%(line)s行为同一身份证号码，已合并。") % {"line": first.line},
            )
        merged.append(candidate)
    return merged


def _new_usernames(count: int) -> list[str]:
    User = get_user_model()
    names: set[str] = set()
    while len(names) < count:
        batch = {"gh" + secrets.token_hex(5) for _i in range(count - len(names))}
        taken = set(User.objects.filter(username__in=batch).values_list("username", flat=True))
        names |= batch - taken
    return list(names)


def _apply(candidates: list[Row], batch: LegacyImport, report: Report) -> None:
    User = get_user_model()
    index_of = {c.id_number: Person.index_for(c.id_number) for c in candidates}
    existing: dict[str, Person] = {}
    indexes = list(index_of.values())
    for start in range(0, len(indexes), CHUNK):
        for person in Person.objects.select_related("user").filter(
            id_number_index__in=indexes[start : start + CHUNK]
        ):
            existing[person.id_number_index] = person
    mobiles = [c.mobile for c in candidates if c.mobile]
    used_mobiles: dict[str, int] = {}
    for start in range(0, len(mobiles), CHUNK):
        used_mobiles.update(
            User.objects.filter(mobile__in=mobiles[start : start + CHUNK]).values_list(
                "mobile", "pk"
            )
        )
    claimed: dict[str, str] = {}  # mobile -> ID number that takes it in this file

    def mobile_free(candidate: Row, owner_pk: int | None) -> bool:
        holder = used_mobiles.get(candidate.mobile)
        if holder is not None and holder != owner_pk:
            return False
        other = claimed.get(candidate.mobile)
        return other is None or other == candidate.id_number

    new_rows: list[Row] = []
    now = timezone.now()
    for c in candidates:
        person = existing.get(index_of[c.id_number])
        if person is None:
            if c.mobile and not mobile_free(c, None):
                report.add(
                    "conflict",
                    c.line,
                    c.id_number,
                    "mobile_in_use",
                    _("手机号码已被其他账号使用，已导入账号但未绑定该手机号码。"),
                    field="mobile",
                    incoming=mask_mobile(c.mobile),
                )
                c.mobile = ""
            if c.mobile:
                claimed[c.mobile] = c.id_number
            new_rows.append(c)
            continue
        user = person.user
        if person.name != c.name:
            report.add(
                "conflict",
                c.line,
                c.id_number,
                "name_differs",
                _("已有账号的姓名与导入数据不一致，保留已有账号，未做任何修改。"),
                field="name",
                existing=person.name,
                incoming=c.name,
            )
            continue
        changed = []
        if c.mobile and user.mobile != c.mobile:
            if user.mobile:
                report.add(
                    "conflict",
                    c.line,
                    c.id_number,
                    "mobile_differs",
                    _("已有账号绑定了不同的手机号码，保留已有号码。"),
                    field="mobile",
                    existing=mask_mobile(user.mobile),
                    incoming=mask_mobile(c.mobile),
                )
            elif not mobile_free(c, user.pk):
                report.add(
                    "conflict",
                    c.line,
                    c.id_number,
                    "mobile_in_use",
                    _("手机号码已被其他账号使用，未绑定到已有账号。"),
                    field="mobile",
                    incoming=mask_mobile(c.mobile),
                )
            else:
                user.mobile = c.mobile
                claimed[c.mobile] = c.id_number
                changed.append("mobile")
        if c.password_hash:
            if user.has_usable_password():
                if user.password != c.password_hash:
                    report.add(
                        "conflict",
                        c.line,
                        c.id_number,
                        "password_differs",
                        _("已有账号已设置密码，保留已有密码。"),
                        field="password_hash",
                    )
            else:
                user.password = c.password_hash
                changed.append("password")
        if not user.email and c.email:
            user.email = c.email
            changed.append("email")
        if changed:
            with context.acting(reason=f"旧系统账号合并（导入批次{batch.pk}）"):
                user.save(update_fields=changed)
        report.merged += 1

    usernames = _new_usernames(len(new_rows))
    users = [
        User(
            username=usernames[i],
            display_name=c.name,
            mobile=c.mobile or None,
            email=c.email,
            password=c.password_hash or make_password(None),
            date_joined=now,
        )
        for i, c in enumerate(new_rows)
    ]
    for start in range(0, len(users), CHUNK):
        User.objects.bulk_create(users[start : start + CHUNK])
    persons = [
        Person(
            user=user,
            id_number=c.id_number,
            id_number_index=index_of[c.id_number],
            name=c.name,
            realname_level=RealNameLevel.SELF_REGISTERED,
            source=Person.Source.LEGACY,
            legacy_import=batch,
            created_at=now,
        )
        for user, c in zip(users, new_rows, strict=True)
    ]
    for start in range(0, len(persons), CHUNK):
        Person.objects.bulk_create(persons[start : start + CHUNK])
    report.created = len(persons)


class _DryRun(Exception):
    pass


def import_accounts(
    data: bytes,
    *,
    source_system: str,
    file_name: str = "",
    imported_by=None,
    dry_run: bool = False,
) -> tuple[LegacyImport | None, Report]:
    """Import a CSV; return the batch (None for a dry run) and its report."""
    if not (source_system or "").strip():
        raise ImportFileError(_("请填写来源系统名称。"))
    report = Report()
    rows = parse(data, report)
    candidates = merge_rows(rows, report)
    batch = None
    try:
        with transaction.atomic():
            batch = LegacyImport.objects.create(
                source_system=source_system.strip()[:100],
                file_name=(file_name or "")[:200],
                file_sha256=hashlib.sha256(data).hexdigest(),
                imported_by=imported_by,
            )
            _apply(candidates, batch, report)
            batch.finished_at = timezone.now()
            batch.total_rows = report.total_rows
            batch.created_count = report.created
            batch.merged_count = report.merged
            batch.duplicate_count = report.duplicates
            batch.conflict_count = report.conflicts
            batch.error_count = report.errors
            batch.report = report.entries
            batch.save()
            audit.record(
                audit.Action.IMPORT,
                instance=batch,
                after={
                    "total_rows": report.total_rows,
                    "created": report.created,
                    "merged": report.merged,
                    "duplicates": report.duplicates,
                    "conflicts": report.conflicts,
                    "errors": report.errors,
                },
                reason=f"导入旧系统账号：{batch.source_system}",
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        return None, report
    return batch, report
