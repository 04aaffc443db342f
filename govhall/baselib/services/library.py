"""Reading the base libraries: keys, stored data and the typed values callers get.

A datum is kept in an entry's JSON column as ``{"v": value, "d": department id,
"t": as-of ISO time, "r": source record}``. Values are JSON: dates as ISO strings, codes as
their code, and ID numbers (``id_number`` attributes, e.g. a spouse's) as Fernet tokens,
never in clear. ``typed`` turns a stored value into what callers get.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any, NamedTuple

from django.db.models.signals import post_save
from django.utils.dateparse import parse_datetime

from govhall.accounts import crypto
from govhall.core.errors import refuse
from govhall.core.identifiers import (
    mask_id_number,
    validate_credit_code,
    validate_id_number,
)
from govhall.regions.models import Department

from ..models import AttributeDefinition, LegalPersonEntry, Library, PopulationEntry, ValueType

PERSON = "person"
COMPANY = "company"
#: subject kind → library; the library names are accepted as kinds too.
LIBRARY_OF = {
    PERSON: Library.POPULATION,
    COMPANY: Library.LEGAL_PERSON,
    Library.POPULATION.value: Library.POPULATION,
    Library.LEGAL_PERSON.value: Library.LEGAL_PERSON,
}
MODEL_OF = {Library.POPULATION: PopulationEntry, Library.LEGAL_PERSON: LegalPersonEntry}


class Datum(NamedTuple):
    """One attribute's current value with where it came from."""

    value: Any
    source_department: Department
    as_of: datetime.datetime
    record_ref: str


def library_of(subject_kind: str) -> str:
    try:
        return LIBRARY_OF[subject_kind]
    except (KeyError, TypeError):
        raise refuse(
            "subject_kind",
            "invalid",
            "对象类型须为 person（人口库，按身份证号码）或 company（法人库，按统一社会信用代码）。",
        ) from None


def normalize_key(library: str, key: str) -> str:
    """The key as stored: a valid 18-character ID number or credit code, else refused."""
    if library == Library.POPULATION:
        result = validate_id_number(str(key or ""))
        if not result.valid:
            raise refuse("key", "invalid_id_number", f"身份证号码无效：{result.errors[0].message}")
        return result.normalized
    result = validate_credit_code(str(key or ""))
    if not result.valid:
        raise refuse(
            "key", "invalid_credit_code", f"统一社会信用代码无效：{result.errors[0].message}"
        )
    return result.normalized


def lookup_column(library: str, normalized: str) -> tuple[str, str]:
    """The unique column and value that find an entry: the blind index for persons."""
    if library == Library.POPULATION:
        return "id_number_index", PopulationEntry.index_for(normalized)
    return "credit_code", normalized


def subject_label(library: str, normalized: str) -> str:
    """How pages show the key: ID numbers masked, credit codes as they are."""
    return mask_id_number(normalized) if library == Library.POPULATION else normalized


def store_value(definition: AttributeDefinition, value: Any) -> Any:
    """The JSON form of a clean value (ID numbers encrypted)."""
    if value is None:
        return None
    if definition.value_type == ValueType.ID_NUMBER:
        return crypto.encrypt(str(value))
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def typed(definition: AttributeDefinition, stored: Any) -> Any:
    """The caller's form of a stored value: dates as ``date``, decimals as ``Decimal``,
    ID numbers decrypted; codes stay codes (``display`` gives their Chinese label)."""
    if stored is None:
        return None
    kind = definition.value_type
    if kind == ValueType.ID_NUMBER:
        return crypto.decrypt(stored)
    if kind == ValueType.DATE:
        return datetime.date.fromisoformat(stored)
    if kind == ValueType.DECIMAL:
        return decimal.Decimal(str(stored))
    return stored


def display(definition: AttributeDefinition, value: Any) -> str:
    """A value as a person reads it: a code's label, a masked ID number, a date."""
    if value is None or value == "":
        return ""
    if definition.value_type == ValueType.CODE and definition.choices:
        return definition.choices.get(str(value), str(value))
    if definition.value_type == ValueType.ID_NUMBER:
        return mask_id_number(str(value))
    if definition.value_type == ValueType.BOOLEAN:
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def parse_as_of(stored: str) -> datetime.datetime:
    moment = parse_datetime(stored)
    if moment is None:  # a bare date
        moment = datetime.datetime.combine(datetime.date.fromisoformat(stored), datetime.time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


_departments: dict[int, Department] = {}


def _forget_departments(**kwargs) -> None:
    _departments.clear()


post_save.connect(_forget_departments, sender=Department, dispatch_uid="baselib-departments")


def departments_by_id(ids) -> dict[int, Department]:
    """Source departments by id, kept per process (a handful of rows, rarely edited), so
    a lookup costs one query."""
    missing = set(ids) - _departments.keys()
    if missing:
        _departments.update(Department.objects.in_bulk(missing))
    return _departments
