"""Sources feeding the base libraries (数据更新): per-record results, one owner per datum.

A data-update record names one subject and the values one source record established::

    {"record_ref": "MZ-440703-2015-000123",            # the source system's record
     "department": "<sending department's credit code>",
     "subject_kind": "person", "key": "<ID number>",
     "as_of": "2015-05-20T10:00:00+08:00",           # when the fact was registered
     "values": {"marital_status": "20", "spouse_name": "李某", ...}}

Every record is checked on its own and answered ``applied`` (values changed, the old ones
went to the history), ``unchanged`` (nothing new: a resent record is harmless),
``conflict`` (held for the owner, see below) or ``refused`` with Chinese reasons keyed by
field path. A refused or held record writes nothing of itself; it never blocks the others.

* **One source per datum.** Each value must be of an attribute whose owner is the sending
  department; any other department is refused for that record, naming the owner.
* **New subjects.** Only the department that owns a library's ``name`` (public security
  for persons, market regulation for legal persons) may bring a new subject in. Two
  batches bringing the same one in at once both succeed: the later one's insert meets
  the unique key, and it reads again and applies its record as an update
  (``_apply_retrying``).
* **Conflicts** go to the owner's conflict list (``Conflict``) instead of the library: the
  same source record reported with a different value; a value older than the stored one
  that disagrees with it; or a different value within ``BASELIB_CONFLICT_WINDOW_DAYS``
  (default 7) of the stored one from another source record. The owner's staff adopt the
  reported values or keep the stored ones (``conflicts.resolve``).

A batch costs a fixed number of queries: the departments, the subjects' rows (locked), then
the writes — on PostgreSQL the changed rows are streamed with ``COPY`` into a temporary
table and applied by one ``UPDATE … FROM``, and the history rows are copied in, so ingest
runs at a good fraction of ``COPY`` itself (``python -m bench baselib``).
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from govhall.core.identifiers import validate_credit_code, validate_id_number
from govhall.core.models import AuditEntry
from govhall.core.services import audit
from govhall.regions.models import Department

from ..models import (
    AttributeChange,
    AttributeDefinition,
    Conflict,
    Library,
    UpdateBatch,
    ValueType,
)
from . import definitions
from .library import (
    LIBRARY_OF,
    MODEL_OF,
    lookup_column,
    normalize_key,
    parse_as_of,
    store_value,
    subject_label,
    typed,
)

APPLIED = "applied"
UNCHANGED = "unchanged"
CONFLICT = "conflict"
REFUSED = "refused"
MAX_RECORDS = 5000
MAX_TEXT = 1000
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


@dataclass
class UpdateResult:
    index: int
    record_ref: str | None
    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "index": self.index,
            "record_ref": self.record_ref,
            "status": self.status,
            "errors": self.errors,
        }
        if self.conflict_id is not None:
            out["conflict_id"] = self.conflict_id
        return out


@dataclass
class _Record:
    index: int
    ref: str
    department: Department
    library: str
    key: str
    lookup: str
    as_of: datetime.datetime
    values: dict[str, Any]  # code → stored (JSON) form
    result: UpdateResult


LIBRARY_NAMES = {Library.POPULATION: "人口库", Library.LEGAL_PERSON: "法人库"}


def window() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "BASELIB_CONFLICT_WINDOW_DAYS", 7))


# --- checking one record -------------------------------------------------------------


def _clean_value(definition: AttributeDefinition, value: Any) -> Any:
    """The clean value of ``definition``'s type, or ``ValueError`` with a Chinese reason."""
    if value is None:
        return None
    kind = definition.value_type
    if kind in (ValueType.TEXT, ValueType.CODE):
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError("须为字符串。")
        value = str(value).strip()
        if "\x00" in value or len(value) > MAX_TEXT:
            raise ValueError(f"不能含空字符，且不超过{MAX_TEXT}个字符。")
        if kind == ValueType.CODE and definition.choices and value not in definition.choices:
            allowed = "、".join(f"{k}（{v}）" for k, v in definition.choices.items())
            raise ValueError(f"代码“{value}”不在代码表内，可选：{allowed}。")
        return value
    if kind == ValueType.DATE:
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError("须为日期（YYYY-MM-DD）。")
        return parsed
    if kind == ValueType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("须为整数。")
        return value
    if kind == ValueType.DECIMAL:
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueError("须为数值。") from None
        if isinstance(value, bool) or not number.is_finite():
            raise ValueError("须为数值。")
        return number
    if kind == ValueType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("须为 true 或 false。")
        return value
    if kind == ValueType.ID_NUMBER:
        result = validate_id_number(str(value))
        if not result.valid:
            raise ValueError(f"身份证号码无效：{result.errors[0].message}")
        return result.normalized
    if kind == ValueType.CREDIT_CODE:
        result = validate_credit_code(str(value))
        if not result.valid:
            raise ValueError(f"统一社会信用代码无效：{result.errors[0].message}")
        return result.normalized
    if kind == ValueType.LIST:
        if not isinstance(value, list) or not all(
            isinstance(v, str) and "\x00" not in v and len(v) <= MAX_TEXT for v in value
        ):
            raise ValueError("须为字符串列表（不含空字符）。")
        return value
    return value


def _as_of(value: Any, now: datetime.datetime) -> datetime.datetime:
    """The record's as-of time (a batch usually shares one: parsed once, see ``_check``)."""
    moment = None
    if isinstance(value, str):
        moment = parse_datetime(value)
        if moment is None and parse_date(value) is not None:
            moment = datetime.datetime.combine(parse_date(value), datetime.time())
    if moment is None:
        raise ValueError("须为数据产生的时间（ISO 8601，如 2015-05-20T10:00:00+08:00）。")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now + FUTURE_TOLERANCE:
        raise ValueError("数据时间不能晚于当前时间。")
    return moment


def _check(
    index: int,
    raw: Any,
    departments: dict[str, Department],
    allowed: frozenset[str] | None,
    now: datetime.datetime,
    seen: dict[str, datetime.datetime],
) -> _Record | UpdateResult:
    if not isinstance(raw, dict):
        return UpdateResult(index, None, REFUSED, {"": ["每条记录须为 JSON 对象。"]})
    ref = raw.get("record_ref")
    errors: dict[str, list[str]] = {}
    if not isinstance(ref, str) or not ref.strip() or len(ref) > 100 or "\x00" in ref:
        errors["record_ref"] = ["须为来源系统的记录编号（1至100个字符）。"]
        ref = ref if isinstance(ref, str) else None
    else:
        ref = ref.strip()
    result = UpdateResult(index, ref, REFUSED, errors)
    kind = raw.get("subject_kind")
    library = LIBRARY_OF.get(kind) if isinstance(kind, str) else None
    if library is None:
        errors["subject_kind"] = ["须为 person（人口库）或 company（法人库）。"]
    code = raw.get("department")
    department = departments.get(code) if isinstance(code, str) else None
    if department is None:
        errors["department"] = [f"报送部门“{code}”不在部门库中（填写部门的统一社会信用代码）。"]
    elif allowed is not None and code not in allowed:
        errors["department"] = [f"部门“{department.name}”不在本客户端登记的报送部门内。"]
    raw_as_of = raw.get("as_of")
    try:
        if isinstance(raw_as_of, str) and raw_as_of in seen:
            as_of = seen[raw_as_of]
        else:
            as_of = _as_of(raw_as_of, now)
            if isinstance(raw_as_of, str):
                seen[raw_as_of] = as_of
    except ValueError as exc:
        errors["as_of"] = [str(exc)]
    values = raw.get("values")
    if not isinstance(values, dict) or not values:
        errors["values"] = ["须为至少一项属性的对象：{属性代码: 值}。"]
    if errors:
        return result
    try:
        key = normalize_key(library, raw.get("key"))
    except Exception as exc:  # a Refusal: keep its message
        errors["key"] = [getattr(exc, "messages", [str(exc)])[0]]
        return result
    catalogue = definitions.of_library(library)
    library_name = LIBRARY_NAMES[library]
    stored: dict[str, Any] = {}
    for attr, value in values.items():
        definition = catalogue.get(attr)
        path = f"values.{attr}"
        if definition is None:
            errors[path] = [f"{library_name}没有代码为“{attr}”的属性。"]
            continue
        if definition.owner_id != department.pk:
            errors[path] = [
                f"属性“{definition.name}”（{attr}）的权威来源部门是{definition.owner.name}，"
                f"{department.name}不是其来源部门，不能写入。"
            ]
            continue
        try:
            stored[attr] = store_value(definition, _clean_value(definition, value))
        except ValueError as exc:
            errors[path] = [f"属性“{definition.name}”{exc}"]
    if errors:
        return result
    _column, lookup = lookup_column(library, key)
    return _Record(index, ref, department, library, key, lookup, as_of, stored, result)


# --- the batch -------------------------------------------------------------------------


def _same(definition: AttributeDefinition, a: Any, b: Any) -> bool:
    if definition.value_type == ValueType.ID_NUMBER and a is not None and b is not None:
        return typed(definition, a) == typed(definition, b)
    return a == b


def _conflict_kind(record: _Record, datum: dict) -> str | None:
    if datum.get("r") == record.ref:
        return Conflict.Kind.SAME_RECORD
    stored_at = parse_as_of(datum["t"])
    if record.as_of < stored_at:
        return Conflict.Kind.STALE
    if record.as_of - stored_at < window():
        return Conflict.Kind.WINDOW
    return None


def _locked_rows(model, column: str, lookups: list[str], codes: list[str]):
    """(key, id, attributes) of the entries with these keys, locked until commit.

    On PostgreSQL only the attributes named by the batch (``codes``) are read — the
    checks need no more, and the update adds a patch to the stored document — so a
    batch does not decode and re-encode every entry's whole document."""
    if connection.vendor == "postgresql" and len(codes) <= 40:  # jsonb_build_object ≤ 100 args
        pairs = ", ".join("%s, attributes -> %s" for _ in codes)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column}, id, jsonb_strip_nulls(jsonb_build_object({pairs})) "
                f"FROM {model._meta.db_table} WHERE {column} = ANY(%s) FOR UPDATE",
                [*(c for code in codes for c in (code, code)), lookups],
            )
            return [
                (key, pk, json.loads(attrs) if isinstance(attrs, str) else attrs)
                for key, pk, attrs in cursor.fetchall()
            ]
    return list(
        model.objects.filter(**{f"{column}__in": lookups})
        .order_by()
        .values_list(column, "pk", "attributes")
    )


def _registrar(library: str) -> AttributeDefinition | None:
    return definitions.of_library(library).get("name")


def ingest(
    records: Sequence[Any], *, client=None, allowed_departments: frozenset[str] | None = None
) -> list[UpdateResult]:
    """Check and apply a batch of data-update records; one result per record, in order.

    ``allowed_departments`` (credit codes) limits the departments an exchange client may
    send for; ``None`` allows any department of the department list.
    """
    now = timezone.now()
    codes = {r.get("department") for r in records if isinstance(r, dict)}
    departments = {
        d.credit_code: d
        for d in Department.objects.filter(credit_code__in=[c for c in codes if isinstance(c, str)])
    }
    seen: dict[str, datetime.datetime] = {}  # a batch's records often share an as-of time
    checked = [
        _check(i, raw, departments, allowed_departments, now, seen) for i, raw in enumerate(records)
    ]
    results = [c.result if isinstance(c, _Record) else c for c in checked]
    valid = [c for c in checked if isinstance(c, _Record)]
    with transaction.atomic():
        batch = UpdateBatch.objects.create(client=client, received_at=now, records=len(records))
        for library in Library.values:
            mine = [r for r in valid if r.library == library]
            if mine:
                _apply_retrying(library, mine, batch, now)
        batch.applied = sum(r.status == APPLIED for r in results)
        batch.unchanged = sum(r.status == UNCHANGED for r in results)
        batch.refused = sum(r.status == REFUSED for r in results)
        batch.conflicts = sum(r.status == CONFLICT for r in results)
        batch.save(update_fields=["applied", "unchanged", "refused", "conflicts"])
        if not (batch.applied or batch.conflicts):
            return results  # nothing changed: the batch row is the record of the call
        audit.record(
            AuditEntry.Action.IMPORT,
            instance=batch,
            reason="基础信息库数据更新",
            after={
                "client": client.code if client is not None else "",
                "records": batch.records,
                "applied": batch.applied,
                "unchanged": batch.unchanged,
                "refused": batch.refused,
                "conflicts": batch.conflicts,
            },
        )
    return results


class _SubjectCreatedMeanwhile(Exception):
    """Another batch committed one of this batch's new subjects after it was read."""


#: How often a batch starts again after losing the race to create a subject. Each retry
#: means another batch committed a subject this one meant to create, which it now sees.
CREATE_ATTEMPTS = 5


def _apply_retrying(library: str, records: list[_Record], batch: UpdateBatch, now) -> None:
    """``_apply``, started again when a new subject's insert hits the unique key because
    a concurrent batch created it after this one read (two sources bringing the same
    person in at once). The insert runs in a savepoint and is the batch's first write for
    the library, so nothing else is undone; the next attempt reads the rows again (READ
    COMMITTED sees the winner's) and checks its records against the stored values."""
    for attempt in range(CREATE_ATTEMPTS):
        try:
            _apply(library, records, batch, now)
            return
        except _SubjectCreatedMeanwhile:
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            for record in records:  # what the failed attempt decided is void
                record.result.status = REFUSED
                record.result.errors.clear()
                record.result.conflict_id = None


def _apply(library: str, records: list[_Record], batch: UpdateBatch, now) -> None:
    model = MODEL_OF[library]
    column = "id_number_index" if library == Library.POPULATION else "credit_code"
    lookups = {r.lookup for r in records}
    codes = sorted({code for r in records for code in r.values})
    entries: dict[str, list] = {
        lookup: [pk, attrs, {}]
        for lookup, pk, attrs in _locked_rows(model, column, list(lookups), codes)
    }
    catalogue = definitions.of_library(library)
    registrar = _registrar(library)
    new: dict[str, _Record] = {}  # lookup → the record that brings the subject in
    changed_pks: set[int] = set()
    changes: list[tuple] = []
    pending_changes: dict[str, list[tuple]] = {}  # lookup → history of new subjects
    conflicts: list[tuple[_Record, Conflict]] = []
    for record in records:
        entry = entries.get(record.lookup)
        if entry is None:
            if registrar is None or record.department.pk != registrar.owner_id:
                owner = registrar.owner.name if registrar is not None else "登记部门"
                record.result.errors["key"] = [
                    f"{Library(library).label}中没有该对象：须由{owner}登记入库后，"
                    "其他部门才能报送其属性。"
                ]
                continue
            entry = entries[record.lookup] = [None, {}, {}]
            new[record.lookup] = record
        attrs = entry[1]
        disputed: dict[str, dict] = {}
        kind = None
        updates: dict[str, Any] = {}
        for code, value in record.values.items():
            definition = catalogue[code]
            datum = attrs.get(code)
            if datum is None and value is None:
                continue
            if datum is not None and _same(definition, datum.get("v"), value):
                continue
            if datum is not None:
                found = _conflict_kind(record, datum)
                if found is not None:
                    kind = kind or found
                    disputed[code] = datum
                    continue
            updates[code] = value
        if disputed:
            conflict = Conflict(
                library=library,
                subject_id=entry[0] or 0,
                subject_label=subject_label(library, record.key),
                owner=record.department,
                kind=kind,
                reported=record.values,
                reported_as_of=record.as_of,
                reported_ref=record.ref,
                stored=disputed,
                batch=batch,
                created_at=now,
            )
            conflicts.append((record, conflict))
            record.result.status = CONFLICT
            continue
        if not updates:
            record.result.status = UNCHANGED
            continue
        as_of = record.as_of.isoformat()
        for code, value in updates.items():
            previous = attrs.get(code)
            attrs[code] = entry[2][code] = {
                "v": value,
                "d": record.department.pk,
                "t": as_of,
                "r": record.ref,
            }
            history = (code, value, previous.get("v") if previous else None, record)
            if entry[0] is None:
                pending_changes.setdefault(record.lookup, []).append(history)
            else:
                changes.append(_change(library, entry[0], catalogue, history, batch, now))
        if entry[0] is not None:
            changed_pks.add(entry[0])
        record.result.status = APPLIED
    # New subjects first (their ids are needed by the history), then the updates.
    if new:
        try:
            with transaction.atomic():  # a savepoint: the race below leaves the batch usable
                created = _create(model, library, new, entries, now)
        except IntegrityError as exc:
            raise _SubjectCreatedMeanwhile from exc
        for lookup, history in pending_changes.items():
            for item in history:
                changes.append(_change(library, created[lookup], catalogue, item, batch, now))
    if changed_pks:
        full = connection.vendor != "postgresql"  # elsewhere whole documents are written
        rows = [(e[0], e[1] if full else e[2]) for e in entries.values() if e[0] in changed_pks]
        _update(model, rows, now)
    if changes:
        _insert_changes(changes)
    for record, conflict in conflicts:
        entry = entries.get(record.lookup)
        conflict.subject_id = entry[0] if entry and entry[0] else 0
    if conflicts:
        made = Conflict.objects.bulk_create([c for _, c in conflicts])
        for (record, _), row in zip(conflicts, made, strict=True):
            record.result.conflict_id = row.pk


def _change(library, subject_id, catalogue, history, batch, now) -> tuple:
    """One history row as a tuple of ``CHANGE_COLUMNS`` (no model instance: a batch
    writes thousands)."""
    code, value, previous, record = history
    return (
        library,
        subject_id,
        catalogue[code].pk,
        value,
        previous,
        record.department.pk,
        record.as_of,
        record.ref,
        batch.pk,
        now,
    )


CHANGE_COLUMNS = (
    "library",
    "subject_id",
    "attribute_id",
    "value",
    "previous",
    "source_id",
    "as_of",
    "record_ref",
    "batch_id",
    "received_at",
)


def _create(model, library, new: dict[str, _Record], entries, now) -> dict[str, int]:
    # In key order, so two batches creating overlapping subjects wait for each other in
    # the same order (a unique-key conflict, not a deadlock).
    new = dict(sorted(new.items()))
    if library == Library.POPULATION:
        objects = [
            model(
                id_number=record.key,
                id_number_index=lookup,
                attributes=entries[lookup][1],
                created_at=now,
                updated_at=now,
            )
            for lookup, record in new.items()
        ]
    else:
        objects = [
            model(credit_code=lookup, attributes=entries[lookup][1], created_at=now, updated_at=now)
            for lookup, record in new.items()
        ]
    model.objects.bulk_create(objects, batch_size=1000)
    column = "id_number_index" if library == Library.POPULATION else "credit_code"
    if any(o.pk is None for o in objects):  # backends that do not return ids
        ids = dict(model.objects.filter(**{f"{column}__in": list(new)}).values_list(column, "pk"))
    else:
        ids = {getattr(o, column): o.pk for o in objects}
    for lookup, pk in ids.items():
        entries[lookup][0] = pk
    return ids


#: ``json.dumps(value, ensure_ascii=False)`` without building an encoder per call.
_json = json.JSONEncoder(ensure_ascii=False).encode


def _copy_text(value: Any) -> str:
    """A value in COPY's text format (tab-separated, ``\\N`` for NULL)."""
    if value is None:
        return "\\N"
    text = value if isinstance(value, str) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _update(model, rows: list[tuple[int, dict]], now) -> None:
    if connection.vendor != "postgresql":
        objects = [model(pk=pk, attributes=attrs, updated_at=now) for pk, attrs in rows]
        model.objects.bulk_update(objects, ["attributes", "updated_at"], batch_size=500)
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # One round trip. Emptied at each commit; DELETE (not TRUNCATE, which gives the
        # table a new file each time) for the other library's rows of the same batch.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS baselib_update_rows "
            "(id bigint, attributes jsonb) ON COMMIT DELETE ROWS; "
            "DELETE FROM baselib_update_rows"
        )
        text = "".join(f"{pk}\t{_copy_text(_json(attrs))}\n" for pk, attrs in rows)
        with cursor.copy("COPY baselib_update_rows (id, attributes) FROM STDIN") as copy:
            copy.write(text)
        cursor.execute(  # the patch of the batch's changed attributes onto each document
            f"UPDATE {table} AS e SET attributes = e.attributes || u.attributes, "
            "updated_at = %s FROM baselib_update_rows AS u WHERE e.id = u.id",
            [now],
        )


def _insert_changes(changes: list[tuple]) -> None:
    if connection.vendor != "postgresql":
        rows = [AttributeChange(**dict(zip(CHANGE_COLUMNS, c, strict=True))) for c in changes]
        AttributeChange.objects.bulk_create(rows, batch_size=1000)
        return
    # Only the JSON values and the source record can hold characters COPY must escape;
    # ids, library codes and ISO times cannot. Times are formatted once per record.
    times: dict[datetime.datetime, str] = {}

    def iso(moment: datetime.datetime) -> str:
        text = times.get(moment)
        if text is None:
            text = times[moment] = moment.isoformat()
        return text

    lines = []
    for c in changes:
        value = "\\N" if c[3] is None else _copy_text(_json(c[3]))
        previous = "\\N" if c[4] is None else _copy_text(_json(c[4]))
        lines.append(
            f"{c[0]}\t{c[1]}\t{c[2]}\t{value}\t{previous}\t{c[5]}\t{iso(c[6])}\t"
            f"{_copy_text(c[7])}\t{c[8]}\t{iso(c[9])}"
        )
    table = AttributeChange._meta.db_table
    columns = ", ".join(CHANGE_COLUMNS)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write("\n".join(lines) + "\n")
