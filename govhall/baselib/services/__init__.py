"""The base libraries' service API.

``read(subject_kind, key, fields)`` is the one way other subsystems (the sharing
catalogue, case handling) read them; its shape is stable:

    read("person", "440703198506181314", ["marital_status", "spouse_name"])
    → {"marital_status": Datum(value="20", source_department=<Department 广东省民政厅>,
                               as_of=datetime(...), record_ref="MZ-..."), ...}

``Datum`` is a named tuple ``(value, source_department, as_of, record_ref)``. A field
the library holds no value for is absent from the answer; an unknown subject answers
``{}``. Unknown field codes, kinds or malformed keys are refused (``Refusal``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection

from govhall.core.errors import refuse

from . import definitions
from .library import (
    MODEL_OF,
    Datum,
    departments_by_id,
    display,
    library_of,
    lookup_column,
    normalize_key,
    parse_as_of,
    typed,
)

__all__ = ["Datum", "definition", "display", "read", "read_many"]


def definition(subject_kind: str, code: str):
    """The ``AttributeDefinition`` of ``code`` in the subject kind's library (refused if
    unknown), e.g. to show its Chinese name or a code's label with ``display``."""
    library = library_of(subject_kind)
    found = definitions.of_library(library).get(code) or definitions.of_library(
        library, reload=True
    ).get(code)
    if found is None:
        raise refuse("fields", "unknown_attribute", f"基础库中没有代码为“{code}”的属性。")
    return found


def _definitions(library: str, fields: Iterable[str] | None):
    catalogue = definitions.of_library(library)
    if fields is None:
        return list(catalogue.values())
    fields = list(fields)
    if any(code not in catalogue for code in fields):
        catalogue = definitions.of_library(library, reload=True)
    unknown = [code for code in fields if code not in catalogue]
    if unknown:
        raise refuse(
            "fields", "unknown_attribute", f"基础库中没有代码为“{'、'.join(unknown)}”的属性。"
        )
    return [catalogue[code] for code in fields]


def _answer(stored: dict, wanted, departments) -> dict[str, Datum]:
    answer = {}
    for item in wanted:
        datum = stored.get(item.code)
        if datum is None or datum.get("v") is None:
            continue
        answer[item.code] = Datum(
            typed(item, datum["v"]),
            departments[datum["d"]],
            parse_as_of(datum["t"]),
            datum.get("r", ""),
        )
    return answer


def read(subject_kind: str, key: str, fields: Iterable[str] | None = None) -> dict[str, Datum]:
    """Current values of ``fields`` (all attributes when ``None``) of one subject, each
    with its source department, as-of time and source record. One query (the source
    departments are kept per process)."""
    library = library_of(subject_kind)
    wanted = _definitions(library, fields)
    column, value = lookup_column(library, normalize_key(library, key))
    with connection.cursor() as cursor:  # the hot path: one probe, no query building
        cursor.execute(
            f"SELECT attributes FROM {MODEL_OF[library]._meta.db_table} WHERE {column} = %s",
            [value],
        )
        row = cursor.fetchone()
    stored = row and (json.loads(row[0]) if isinstance(row[0], str) else row[0])
    if not stored:
        return {}
    ids = {stored[d.code]["d"] for d in wanted if d.code in stored}
    return _answer(stored, wanted, departments_by_id(ids) if ids else {})


def read_many(
    subject_kind: str, keys: Iterable[str], fields: Iterable[str] | None = None
) -> dict[str, dict[str, Datum]]:
    """``read`` for several keys at once (one query whatever their number); the
    answer is keyed by the normalised key, and unknown subjects are absent."""
    library = library_of(subject_kind)
    wanted = _definitions(library, fields)
    by_lookup = {}
    for key in keys:
        normalized = normalize_key(library, key)
        by_lookup[lookup_column(library, normalized)[1]] = normalized
    column = "id_number_index" if library == "population" else "credit_code"
    rows = (
        MODEL_OF[library]
        .objects.filter(**{f"{column}__in": list(by_lookup)})
        .values_list(column, "attributes")
    )
    rows = list(rows)
    ids = {s[d.code]["d"] for _, s in rows for d in wanted if d.code in s}
    departments = departments_by_id(ids) if ids else {}
    return {by_lookup[k]: _answer(s, wanted, departments) for k, s in rows}
