"""存量电子化: a department's paper licences of one type, issued in bulk from a spreadsheet.

The whole file is checked before anything is signed: one error anywhere and the batch is
refused with every error listed (row, column, rule), so the clerk fixes the file and
uploads it again. A number the type already holds for the same holder is skipped, so
uploading a file twice issues nothing twice. Otherwise every row is issued in one
transaction (``VersionKind.DIGITISE``) and the batch is kept as the record of it.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Company, Person
from govhall.core import spreadsheets
from govhall.core.errors import refuse
from govhall.core.services import audit

from ..models import DigitisationBatch, HolderKind, Licence, LicenceType, VersionKind
from . import issuing

MAX_ROWS = 5000
MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 1000  # kept per batch; a file with more says how many were left out
SHEET_TITLE = "证照数据"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
CHUNK = 500


@dataclass(frozen=True)
class Column:
    key: str  # number, holder_name, holder_code, issue_date, valid_from, valid_until, data.<name>
    label: str
    required: bool
    kind: str  # text, date, number, code
    hint: str


def columns(licence_type: LicenceType) -> list[Column]:
    """The template's columns: the licence's fixed metadata, then one per 照面信息 field."""
    person = licence_type.holder_kind == HolderKind.PERSON
    years = licence_type.validity_years
    default_end = f"留空则按{years}年有效期推算" if years else "留空表示长期有效"
    fixed = [
        Column("number", "证照编号", True, "text", "纸质证照上的编号，同一证照类型内不能重复"),
        Column("holder_name", "持证主体名称", True, "text", "持证人姓名或持证单位名称"),
        Column(
            "holder_code",
            "持证主体代码",
            True,
            "code",
            "18位公民身份号码（按文本填写）" if person else "18位统一社会信用代码",
        ),
        Column("issue_date", "颁证日期", True, "date", "YYYY-MM-DD，不能晚于今天"),
        Column("valid_from", "有效期起始", False, "date", "YYYY-MM-DD，留空则同颁证日期"),
        Column("valid_until", "有效期截止", False, "date", f"YYYY-MM-DD，{default_end}"),
    ]
    extra = [
        Column(
            f"data.{f['name']}",
            f.get("label") or f["name"],
            bool(f.get("required")),
            f.get("type", "text"),
            {"date": "YYYY-MM-DD", "number": "数字"}.get(f.get("type", "text"), "文字，200字以内"),
        )
        for f in licence_type.fields or []
    ]
    return fixed + extra


def template_file_name(licence_type: LicenceType) -> str:
    return f"{licence_type.name}-存量电子化模板.xlsx"


def template(licence_type: LicenceType) -> bytes:
    """An empty .xlsx with the type's columns, text/date formats set, and the rules."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    cols = columns(licence_type)
    for index, column in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font = Font(bold=True, color="B3001B" if column.required else "000000")
        cell.comment = Comment(("必填。" if column.required else "选填。") + column.hint, "govhall")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.label) * 2 + 4)
        # Text format keeps ID numbers and leading zeros exactly as typed.
        sheet.column_dimensions[letter].number_format = (
            "yyyy-mm-dd" if column.kind == "date" else "@"
        )
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["证照类型", f"{licence_type.name}（{licence_type.code}）"])
    notes.append(["持证主体", licence_type.get_holder_kind_display()])
    notes.append(["每个文件", f"最多{MAX_ROWS:,}行数据；第1行为表头，请勿修改"])
    notes.append(["校验", "全部数据无误才会签发；有任何错误时不签发任何一行，并列出全部错误"])
    notes.append(["重复上传", "已电子化的证照编号（同一持证主体）自动跳过，可放心重新上传"])
    notes.append([])
    notes.append(["列", "是否必填", "说明"])
    for column in cols:
        notes.append([column.label, "必填" if column.required else "选填", column.hint])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- reading and checking -----------------------------------------------------------


class FileProblem(Exception):
    """The file as a whole cannot be used (not a spreadsheet, columns missing, too long)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Row:
    line: int
    number: str
    holder: issuing.Holder
    issue_date: datetime.date
    valid_from: datetime.date
    valid_until: datetime.date | None
    data: dict


@dataclass
class Plan:
    total: int = 0
    ready: list[Row] = field(default_factory=list)
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)

    def error(self, line: int | None, column: str, code: str, message: str) -> None:
        self.errors.append({"row": line, "column": column, "code": code, "message": message})


def _normalise_header(value) -> str:
    text = "".join(str(value or "").split())
    for mark in ("（必填）", "(必填)", "*"):
        text = text.removesuffix(mark).removeprefix(mark)
    return text


def read_rows(licence_type: LicenceType, file) -> tuple[list[Column], list[tuple[int, dict]]]:
    """The data rows as (Excel row number, {column key: cell value}); blank rows are left out."""
    try:
        workbook = spreadsheets.open_workbook(file, max_compressed=MAX_BYTES)
    except spreadsheets.SpreadsheetRefused as exc:
        raise FileProblem(exc.code, exc.message) from None
    try:
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.active
        # Blank rows count towards the physical limit too: reading them costs the same.
        lines = spreadsheets.rows(sheet, max_rows=MAX_ROWS * 2, header_rows=1)
        header = next(lines, (1, ()))[1] or ()
        position = {_normalise_header(v): i for i, v in enumerate(header) if v is not None}
        cols = columns(licence_type)
        missing = [c.label for c in cols if c.label not in position]
        if missing:
            raise FileProblem(
                "columns",
                f"表头缺少列：{'、'.join(missing)}。请使用“{licence_type.name}”的模板，"
                "不要修改第1行。",
            )
        rows = []
        try:
            numbered = list(lines)
        except spreadsheets.SpreadsheetRefused as exc:
            raise FileProblem(exc.code, exc.message) from None
        for line, values in numbered:
            cells = {c.key: values[position[c.label]] if position[c.label] < len(values) else None
                     for c in cols}  # fmt: skip
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise FileProblem(
                    "too_many_rows",
                    f"每个文件最多{MAX_ROWS:,}行数据，本文件超过了，请拆分后分批上传。",
                )
    finally:
        workbook.close()
    return cols, rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _date(value) -> datetime.date | None:
    """A date cell or text in a common written form; raises ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value.strip(), pattern).date()
            except ValueError:
                continue
    raise ValueError(value)


def _check_row(licence_type, cols, line: int, cells: dict, plan: Plan, today) -> Row | None:
    label = {c.key: c.label for c in cols}
    before = len(plan.errors)

    number = _text(cells["number"])
    if not number:
        plan.error(line, label["number"], "required", "“证照编号”为必填项。")
    elif len(number) > 100:
        plan.error(line, label["number"], "max_length", "“证照编号”不能超过100个字符。")

    holder = None
    raw_code = cells["holder_code"]
    if isinstance(raw_code, int | float):
        plan.error(
            line,
            label["holder_code"],
            "text",
            "“持证主体代码”须按文本填写（数字格式会丢失末几位），请把该列设为文本后重新录入。",
        )
    else:
        name = _text(cells["holder_name"])
        try:
            holder = issuing.clean_holder(
                licence_type, issuing.Holder(licence_type.holder_kind, name, _text(raw_code))
            )
            if len(holder.name) > 200:
                raise refuse("holder_name", "max_length", "“持证主体名称”不能超过200字。")
        except ValidationError as exc:
            holder = None
            for key, messages in exc.message_dict.items():
                code = exc.error_dict[key][0].code
                column = label["holder_name"] if key == "holder_name" else label["holder_code"]
                plan.error(line, column, code, messages[0])

    dates = {}
    for key in ("issue_date", "valid_from", "valid_until"):
        try:
            dates[key] = _date(cells[key])
        except ValueError:
            dates[key] = None
            plan.error(line, label[key], "date", f"“{label[key]}”须为日期（YYYY-MM-DD）。")
    issue_date, valid_from, valid_until = dates["issue_date"], dates["valid_from"], None
    if issue_date is None and not _text(cells["issue_date"]):
        plan.error(line, label["issue_date"], "required", "“颁证日期”为必填项。")
    elif issue_date and issue_date > today:
        plan.error(line, label["issue_date"], "future", "“颁证日期”不能晚于今天。")
    if issue_date:
        valid_from = valid_from or issue_date
        given = dates["valid_until"]
        valid_until = given or issuing.default_valid_until(licence_type, valid_from)
        if valid_until is not None and valid_until < valid_from:
            plan.error(line, label["valid_until"], "order", "“有效期截止”不能早于“有效期起始”。")
        elif valid_until is not None and valid_until < today:
            how = "" if given else f"（按{licence_type.validity_years}年有效期推算）"
            plan.error(
                line,
                label["valid_until"],
                "expired",
                f"证照已于{valid_until.isoformat()}过期{how}，已失效的证照不进行存量电子化。",
            )

    data = {}
    for spec in licence_type.fields or []:
        value = cells[f"data.{spec['name']}"]
        if isinstance(value, datetime.date):
            value = _text(value)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            data.update(issuing.clean_data(SimpleNamespace(fields=[spec]), {spec["name"]: value}))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                plan.error(line, label[key], exc.error_dict[key][0].code, messages[0])

    if len(plan.errors) > before or holder is None:
        return None
    return Row(line, number, holder, issue_date, valid_from, valid_until, data)


def _existing(licence_type, department, numbers: list[str]) -> dict[str, str]:
    """Number → holder code index of the department's licences of this type among
    ``numbers`` (a licence number is unique per type and issuer)."""
    found = {}
    rows = Licence.objects.filter(type=licence_type)
    if department is not None:
        rows = rows.filter(issuer=department)
    for start in range(0, len(numbers), CHUNK):
        found.update(
            rows.filter(number__in=numbers[start : start + CHUNK]).values_list(
                "number", "holder_code_index"
            )
        )
    return found


def check(licence_type: LicenceType, file, department=None) -> Plan:
    """Every row checked; nothing written. ``plan.errors`` empty means it may be issued."""
    plan = Plan()
    try:
        cols, rows = read_rows(licence_type, file)
    except FileProblem as problem:
        plan.error(None, "文件", problem.code, problem.message)
        return plan
    plan.total = len(rows)
    if not rows:
        plan.error(None, "文件", "empty", "文件中没有数据行（第2行起填写）。")
        return plan
    numbers = sorted({_text(c["number"]) for _, c in rows} - {""})
    existing = _existing(licence_type, department, numbers)
    seen: dict[str, int] = {}
    today = timezone.localdate()
    for line, cells in rows:
        number = _text(cells["number"])
        if number in existing:
            code = _text(cells["holder_code"]).upper()
            if Licence.index_for(code) == existing[number]:
                plan.skipped += 1
            else:
                plan.error(
                    line,
                    "证照编号",
                    "number_taken",
                    f"证照编号“{number}”已被另一持证主体的同类证照使用。",
                )
            continue
        if number and number in seen:
            plan.error(
                line, "证照编号", "duplicate", f"证照编号“{number}”与第{seen[number]}行重复。"
            )
            continue
        if number:
            seen[number] = line
        row = _check_row(licence_type, cols, line, cells, plan, today)
        if row is not None:
            plan.ready.append(row)
    return plan


def _link_accounts(licence_type, rows: list[Row]) -> list[Row]:
    """Point each holder at the account with the same ID number or credit code, if any."""
    codes = [r.holder.code for r in rows]
    if licence_type.holder_kind == HolderKind.PERSON:
        by_index = {}
        indexes = [Person.index_for(c) for c in codes]
        for start in range(0, len(indexes), CHUNK):
            by_index.update(
                (p.id_number_index, p)
                for p in Person.objects.filter(id_number_index__in=indexes[start : start + CHUNK])
            )
        for row in rows:
            person = by_index.get(Person.index_for(row.holder.code))
            row.holder = issuing.Holder(row.holder.kind, row.holder.name, row.holder.code, person)
    else:
        by_code = {}
        for start in range(0, len(codes), CHUNK):
            by_code.update(
                (c.credit_code, c)
                for c in Company.objects.filter(credit_code__in=codes[start : start + CHUNK])
            )
        for row in rows:
            company = by_code.get(row.holder.code)
            row.holder = issuing.Holder(
                row.holder.kind, row.holder.name, row.holder.code, company=company
            )
    return rows


# --- digitising ---------------------------------------------------------------------


class _RowFailed(Exception):
    def __init__(self, row: Row, error: ValidationError):
        super().__init__(str(error))
        self.row, self.error = row, error


def check_issuer(licence_type: LicenceType, department, user) -> None:
    """The caller may sign for the department, and the department issues this type."""
    issuing.check_can_issue(user, department)
    if not licence_type.is_active:
        raise refuse("type", "inactive", f"证照类型“{licence_type.name}”已停用。")
    if not licence_type.issuing_departments.filter(pk=department.pk).exists():
        raise refuse(
            "type", "not_issuer", f"{department.name}不是“{licence_type.name}”的签发部门。"
        )


def _cap(errors: list[dict]) -> list[dict]:
    if len(errors) <= MAX_ERRORS:
        return errors
    left = len(errors) - MAX_ERRORS
    note = {
        "row": None,
        "column": "文件",
        "code": "truncated",
        "message": f"另有{left}处错误未列出，请先更正以上错误后重新上传。",
    }
    return [*errors[:MAX_ERRORS], note]


def _save(licence_type, department, user, file_name, state, plan, issued=0) -> DigitisationBatch:
    batch = DigitisationBatch.objects.create(
        type=licence_type,
        department=department,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        file_name=file_name[:200],
        state=state,
        rows_total=plan.total,
        rows_issued=issued,
        rows_skipped=plan.skipped,
        errors=_cap(plan.errors),
    )
    audit.record(
        audit.AuditEntry.Action.IMPORT,
        instance=batch,
        after={
            "type": licence_type.code,
            "department": department.credit_code,
            "file_name": batch.file_name,
            "state": state,
            "rows_total": batch.rows_total,
            "rows_issued": issued,
            "rows_skipped": batch.rows_skipped,
            "errors": len(plan.errors),
        },
        reason="存量证照电子化",
    )
    return batch


def digitise(licence_type: LicenceType, department, file, user) -> DigitisationBatch:
    """Check the file, then issue every row in one transaction or none at all."""
    check_issuer(licence_type, department, user)
    file_name = Path(getattr(file, "name", "") or str(file)).name or "upload.xlsx"
    plan = check(licence_type, file, department)
    refused = DigitisationBatch.State.REFUSED
    if plan.errors:
        with transaction.atomic():
            return _save(licence_type, department, user, file_name, refused, plan)
    rows = _link_accounts(licence_type, plan.ready)
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    issuing.issue(
                        licence_type,
                        department,
                        row.holder,
                        data=row.data,
                        valid_from=row.valid_from,
                        valid_until=row.valid_until,
                        issue_date=row.issue_date,
                        number=row.number,
                        user=user,
                        kind=VersionKind.DIGITISE,
                        reason=f"存量纸质证照电子化（{file_name}第{row.line}行）",
                    )
                except ValidationError as exc:
                    raise _RowFailed(row, exc) from exc
            return _save(
                licence_type, department, user, file_name, DigitisationBatch.State.DONE, plan,
                issued=len(rows),
            )  # fmt: skip
    except _RowFailed as failed:  # e.g. the same number issued meanwhile by someone else
        error = failed.error
        pairs = (
            error.error_dict.items() if hasattr(error, "error_dict") else [("", error.error_list)]
        )
        labels = {c.key: c.label for c in columns(licence_type)}
        for key, errors in pairs:
            column = labels.get(key, "证照编号")
            for item in errors:
                plan.error(failed.row.line, column, item.code or "issue", item.messages[0])
        with transaction.atomic():
            return _save(licence_type, department, user, file_name, refused, plan)
