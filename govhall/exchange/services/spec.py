"""The exchange format in code: the JSON Schema files, their compiled validator, Chinese
error messages, the derived ``event`` and the normalised record (docs/exchange.md).

The schema files in ``govhall/exchange/schemas/`` are the specification: the API serves
them as they are, and every record is checked against ``process-record-1.0.json``. The
check runs first through a compiled validator (fastjsonschema: the schema becomes Python
code once per process); only a record it refuses goes through ``jsonschema``'s full
validator, which lists every problem, each turned into a Chinese message under the field
path it concerns (``details.items[0].name``). Both read the same file.

What JSON Schema cannot say is checked here too, still without the database: that the
dates are real dates, and that the time stamps parse. Checks that need the database
(region, department, duplicates) are in ``ingest``.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fastjsonschema
from django.conf import settings
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from govhall.core.errors import Refusal, refuse
from govhall.records import events
from govhall.records.models import MessageType

FORMAT_VERSION = events.FORMAT_VERSION
MAX_BATCH = 1000
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
RECORD_SCHEMA = "process-record-1.0.json"
BATCH_SCHEMA = "process-record-batch-1.0.json"
SCHEMA_NAME_RE = re.compile(r"^[a-z0-9-]+-[0-9]+\.[0-9]+\.json$")

# The event definitions (govhall.records.events), as the checks here read them.
EVENT_MESSAGE_TYPES: dict[str, str] = {e.code: e.message_type for e in events.EVENTS}
EVENT_LABELS: dict[str, str] = {e.code: str(e.label) for e in events.EVENTS}
MESSAGE_TYPES = tuple(MessageType.values)

_TYPE_NAMES = {
    "string": "字符串",
    "integer": "整数",
    "number": "数字",
    "object": "对象",
    "array": "数组",
    "boolean": "布尔值（true/false）",
    "null": "null",
}

# Where the timestamps and dates of a record are (beyond the shape the schema checks).
_TOP_DATES = ("promised_due", "statutory_due")
_DETAIL_DATES = ("valid_until", "promised_due")
_DETAIL_TIMES = ("started_at", "completed_at")
_LOCAL_SUFFIX = "+08:00"


# --- the schema files -------------------------------------------------------------------


@functools.cache
def schema_names() -> tuple[str, ...]:
    """The published schema files, by name (``process-record-1.0.json`` …)."""
    return tuple(sorted(p.name for p in SCHEMA_DIR.glob("*.json") if SCHEMA_NAME_RE.match(p.name)))


@functools.cache
def schema_bytes(name: str) -> bytes:
    if name not in schema_names():
        raise KeyError(name)
    return (SCHEMA_DIR / name).read_bytes()


@functools.cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads(schema_bytes(name))


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of a schema file's content (callers may change it)."""
    return json.loads(schema_bytes(name))


@functools.cache
def registry() -> Registry:
    """Every schema file under its file name, so the batch schema's ``$ref`` resolves."""
    return Registry().with_resources(
        (name, Resource.from_contents(_schema(name), default_specification=DRAFT202012))
        for name in schema_names()
    )


@functools.cache
def full_validator(name: str = RECORD_SCHEMA) -> Draft202012Validator:
    return Draft202012Validator(_schema(name), registry=registry())


def _const_as_enum(schema: Any) -> Any:
    """``{"const": x}`` as ``{"enum": [x]}`` (the same meaning; fastjsonschema 2.22 fails to
    compile ``const`` with short exceptions)."""
    if isinstance(schema, dict):
        return {
            ("enum" if key == "const" else key): (
                [_const_as_enum(v)] if key == "const" else _const_as_enum(v)
            )
            for key, v in schema.items()
        }
    if isinstance(schema, list):
        return [_const_as_enum(v) for v in schema]
    return schema


def _decides(condition: Any, facts: dict[str, str | None]) -> bool | None:
    """Whether an ``if`` that tests only the ``facts`` properties (``message_type``,
    ``event``; ``None`` = absent) holds for these values; ``None`` when it tests anything
    else (then it stays in the schema, evaluated per record)."""
    if not isinstance(condition, dict) or set(condition) - {"properties", "required"}:
        return None
    tested = condition.get("properties", {})
    required = set(condition.get("required", []))
    if not (set(tested) | required) <= set(facts):
        return None
    if any(facts[key] is None for key in required):
        return False
    for key, rule in tested.items():
        if not isinstance(rule, dict) or set(rule) != {"enum"}:
            return None
        if facts[key] is not None and facts[key] not in rule["enum"]:
            return False
    return True


def specialised_schema(message_type: str | None, event: str | None = None) -> dict[str, Any]:
    """The record schema with the ``if``s on ``message_type`` and ``event`` decided.

    A record's message type and event pick one branch of each such ``if``; deciding them
    once per pair leaves the compiled code no failing ``if`` to try (each costs an
    exception), which halves the time per record. ``message_type=None``: the schema as it
    is (for records whose discriminators are themselves invalid).
    """
    schema = _const_as_enum(_schema(RECORD_SCHEMA))
    if message_type is None:
        return schema
    facts = {"message_type": message_type, "event": event}
    rules = []
    for rule in schema.get("allOf", []):
        verdict = _decides(rule.get("if"), facts)
        if verdict is None:
            rules.append(rule)
        elif verdict and "then" in rule:
            rules.append(rule["then"])
        elif not verdict and "else" in rule:
            rules.append(rule["else"])
    return {**schema, "allOf": rules}


@functools.cache
def _compiled(message_type: str | None, event: str | None = None):
    # No defaults filled in, formats left to the patterns: the two validators must agree.
    return fastjsonschema.compile(
        specialised_schema(message_type, event),
        use_default=False,
        use_formats=False,
        detailed_exceptions=False,
    )


def fast_validate(record: Any) -> None:
    """Raise ``fastjsonschema.JsonSchemaValueException`` when the record does not conform."""
    key: tuple[str | None, str | None] = (None, None)
    if isinstance(record, dict):
        message_type, event = record.get("message_type"), record.get("event")
        if (
            isinstance(message_type, str)
            and message_type in MESSAGE_TYPES
            and ("event" not in record or (isinstance(event, str) and event in EVENT_MESSAGE_TYPES))
        ):
            key = (message_type, event)
    _compiled(*key)(record)


# --- errors in Chinese --------------------------------------------------------------------


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _show(value: Any) -> str:
    return "null" if value is None else str(value)


def _describe(schema: Any) -> str:
    return schema.get("description", "") if isinstance(schema, dict) else ""


def _is_id_number_rule(schema: Any) -> bool:
    return isinstance(schema, dict) and "pattern" in schema.get("not", {})


def _messages(error) -> list[tuple[str, str]]:
    """(field, Chinese message) pairs for one jsonschema error."""
    field = _path(error.absolute_path)
    shown = field or "记录"
    keyword, value, schema = error.validator, error.validator_value, error.schema
    instance = error.instance
    if keyword == "required":
        present = instance if isinstance(instance, dict) else {}
        return [(_join(field, name), "缺少必填字段。") for name in value if name not in present]
    if keyword == "additionalProperties":
        known = set(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in known)
        return [(_join(field, name), "交换格式1.0没有这个字段。") for name in extra]
    if keyword == "type":
        kinds = value if isinstance(value, list) else [value]
        names = "或".join(_TYPE_NAMES.get(k, k) for k in kinds)
        return [(shown, f"类型错误：应为{names}。")]
    if keyword in ("enum", "const"):
        options = value if keyword == "enum" else [value]
        allowed = "、".join(_show(v) for v in options if v not in ("", None)) or "空"
        if not isinstance(instance, str) and all(
            isinstance(v, str) for v in options if v is not None
        ):  # 2 for "2": say that it must be text
            return [(shown, f"类型错误：应为字符串（加引号），取值为{allowed}之一。")]
        if keyword == "const":
            return [(shown, f"取值“{_show(instance)}”无效，应为“{allowed}”。")]
        return [(shown, f"取值“{_show(instance)}”无效，应为以下之一：{allowed}。")]
    if keyword == "pattern":
        hint = _describe(schema)
        return [(shown, f"格式不正确{'：' + hint if hint else ''}。")]
    if keyword == "not":
        if _is_id_number_rule(schema):
            return [
                (shown, "不得包含明文身份证号码：自然人只能以证件类型111和盲索引（id_key）传送。")
            ]
        if value == {"required": ["applicant"]}:
            return [("applicant", "只有申办信息（message_type 0）可以携带申请人信息。")]
        return [(shown, "取值不符合交换格式。")]
    if keyword == "anyOf":
        if any(_is_id_number_rule(sub.schema) for sub in error.context or ()):
            return [(shown, "不得包含明文身份证号码。")]
        hint = _describe(schema)
        return [(shown, f"取值无效{'：' + hint if hint else ''}。")]
    if keyword == "minLength":
        message = "不能为空。" if value == 1 else f"至少{value}个字符。"
        hint = _describe(schema)
        return [(shown, f"{hint}，{message}" if hint else message)]
    if keyword == "maxLength":
        return [(shown, f"不能超过{value}个字符。")]
    if keyword == "minimum":
        return [(shown, f"不能小于{value}。")]
    if keyword == "maximum":
        return [(shown, f"不能大于{value}。")]
    if keyword == "minItems":
        return [(shown, f"至少须有{value}项。")]
    if keyword == "maxItems":
        return [(shown, f"最多{value}项。")]
    return [(shown, f"不符合交换格式（{keyword}）。")]


def schema_errors(record: Any) -> dict[str, list[str]]:
    """Problems of one record against the schema, ``{}`` when it conforms."""
    try:
        fast_validate(record)
    except fastjsonschema.JsonSchemaValueException as fast_error:
        errors: dict[str, list[str]] = {}
        for error in full_validator().iter_errors(record):
            for field, message in _messages(error):
                bucket = errors.setdefault(field, [])
                if message not in bucket:
                    bucket.append(message)
        if not errors:
            # The validators disagree (e.g. a trailing line break, which Python's ``$``
            # lets through and the compiled ``\Z`` does not): never accept what either
            # refuses. The compiled validator's message starts with the field's path.
            where = str(fast_error.message or "").split(" ", 1)[0]
            field = where.removeprefix("data").lstrip(".") if where.startswith("data") else ""
            errors[field or "记录"] = ["不符合交换格式。"]
        return errors
    return {}


# --- event, times, normalisation ------------------------------------------------------------


def derive_event(record: dict[str, Any]) -> str:
    """The event of a record that does not name one (docs/exchange.md)."""
    message_type = record.get("message_type")
    details = record.get("details") or {}
    if message_type == "2":
        return "reject" if details.get("accepted") is False else "accept"
    if message_type == "3":
        return "decide" if details.get("decision") else "complete_step"
    if message_type == "4":
        return "withdraw" if details.get("conclusion_code") == "2" else "conclude"
    if message_type == "5" and details.get("procedure") == "extension":
        return "extend"
    return events.default_for(message_type) if isinstance(message_type, str) else ""


def parse_time(value: str) -> datetime.datetime | None:
    """An ISO 8601 time with offset, or None when it is not a real time."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _real_date(value: Any) -> bool:
    if value is None:
        return True
    try:
        datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def format_time(moment: datetime.datetime, sent: str = "") -> str:
    """How times are kept in a stored payload: local time (Asia/Shanghai), to the second
    unless finer. ``sent``: the text the time was parsed from, kept when it is already in
    that form (the usual case: no need to convert)."""
    if (
        len(sent) == 25
        and sent.endswith(_LOCAL_SUFFIX)
        and settings.TIME_ZONE == "Asia/Shanghai"
        and sent >= "1992"  # no summer time in China since 1991: always +08:00
    ):
        return sent
    local = timezone.localtime(moment)
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


def check(record: Any) -> tuple[dict[str, Any] | None, datetime.datetime | None, dict]:
    """Schema and record-level checks of one record.

    Returns ``(normalised record, occurred_at, {})`` or ``(None, None, errors)``.
    """
    errors = schema_errors(record)
    if errors:
        return None, None, errors
    occurred = parse_time(record["occurred_at"])
    if occurred is None:
        errors["occurred_at"] = ["不是有效的日期时间。"]
    for key in ("case_number", "implementation_code", "region_code", "record_id"):
        if "\n" in record[key]:
            errors[key] = ["格式不正确：不得含换行符。"]
    for key in _TOP_DATES:
        if not _real_date(record.get(key)):
            errors[key] = ["不是有效的日期。"]
    details = record.get("details") or {}
    for key in _DETAIL_DATES:
        if not _real_date(details.get(key)):
            errors[f"details.{key}"] = ["不是有效的日期。"]
    for key in _DETAIL_TIMES:
        if details.get(key) is not None and parse_time(details[key]) is None:
            errors[f"details.{key}"] = ["不是有效的日期时间。"]
    if errors:
        return None, None, errors
    return normalize(record, occurred), occurred, {}


def normalize(record: dict[str, Any], occurred: datetime.datetime) -> dict[str, Any]:
    """The record as it is stored: canonical id, derived event, local time, defaults."""
    out = dict(record)
    out["record_id"] = record["record_id"].lower()  # the schema's pattern: 8-4-4-4-12 hex
    out["event"] = record.get("event") or derive_event(record)
    out["occurred_at"] = format_time(occurred, record["occurred_at"])
    out.setdefault("visits", 0)
    out.setdefault("details", {})
    return out


# --- the batch envelope ---------------------------------------------------------------------


def _refuse(code: str, message: str, field: str = "records") -> Refusal:
    return refuse(field, code, message)


def batch_records(body: Any) -> list[Any]:
    """The ``records`` of a request body ``{"records": [...]}``; a malformed envelope or a
    batch over the limit refuses the whole call (a refusal naming the field)."""
    if not isinstance(body, dict):
        raise _refuse("type", '请求体须为JSON对象：{"records": [...]}。', field="non_field_errors")
    extra = sorted(k for k in body if k != "records")
    if extra:
        raise _refuse(
            "additional_properties", "交换格式1.0的批量报送只有“records”一个字段。", extra[0]
        )
    if "records" not in body:
        raise _refuse("required", "缺少必填字段“records”（过程信息数组）。")
    return check_batch_size(body["records"])


def check_batch_size(records: Any) -> list[Any]:
    if not isinstance(records, list):
        raise _refuse("type", "“records”须为数组。")
    if not records:
        raise _refuse("min_items", "“records”不能为空数组。")
    if len(records) > MAX_BATCH:
        raise _refuse(
            "max_items",
            f"一次最多报送{MAX_BATCH}条过程信息（本次{len(records)}条），请分批报送。",
        )
    return records
