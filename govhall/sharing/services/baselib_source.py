"""The base libraries (``govhall.baselib``) as the sharing catalogue's source.

Each resource field's code is a base-library attribute code; values are given as people
read them (a code's label, a date, an ID number masked), each with the department that is
the attribute's authoritative source and the time of its record; coded attributes also
give their code (``SourceRecord.codes``), so systems get both.
"""

from __future__ import annotations

from govhall.baselib import services as baselib
from govhall.baselib.models import ValueType

from ..models import Library
from .sources import Attribute, SourceRecord, register_catalogue
from .sources import register as register_reader


def reader(library: str):
    def read(key: str, codes: list[str]) -> SourceRecord | None:
        data = baselib.read(library, key, codes)
        if not data:
            return None
        defined = {c: baselib.definition(library, c) for c in data}
        return SourceRecord(
            {c: baselib.display(defined[c], d.value) for c, d in data.items()},
            {c: d.source_department.name for c, d in data.items()},
            {c: d.as_of for c, d in data.items()},
            {
                c: str(d.value)
                for c, d in data.items()
                if defined[c].value_type == ValueType.CODE and d.value not in (None, "")
            },
        )

    return read


def catalogue(library: str):
    def attributes() -> dict[str, Attribute]:
        from govhall.baselib.services import definitions

        return {
            code: Attribute(code, d.name, d.owner_id)
            for code, d in definitions.of_library(library).items()
        }

    return attributes


def register() -> None:
    for library in (Library.POPULATION, Library.LEGAL_PERSON):
        register_reader(library, reader(library.value))
        register_catalogue(library, catalogue(library.value))
