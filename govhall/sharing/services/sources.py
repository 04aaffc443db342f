"""Where shared data comes from: the base libraries (人口库、法人库), behind one interface.

The sharing catalogue does not hold data; a resource names a library and the attribute
codes of its data items, and a read asks the library's registered reader for them. The
base-library app registers its reader here (``register``) and its attribute catalogue
(``register_catalogue``, against which resources' data items are checked) when it is
installed; tests and other deployments may register their own (a provincial platform's
interface).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRecord:
    """What a library holds for one subject: attribute code → value as people read it
    (only those it has), for each attribute where it came from and when, and for coded
    attributes the code behind the label (``values`` holds "初婚", ``codes`` "21")."""

    values: dict[str, str]
    sources: dict[str, str] = field(default_factory=dict)  # code → source department name
    updated: dict[str, datetime.datetime] = field(default_factory=dict)  # code → as of
    codes: dict[str, str] = field(default_factory=dict)  # code → the value's code (GB/T …)

    def source_name(self, codes) -> str:
        names = sorted({self.sources[c] for c in codes if self.sources.get(c)})
        return "、".join(names)

    def updated_at(self, codes) -> datetime.datetime | None:
        times = [self.updated[c] for c in codes if self.updated.get(c)]
        return max(times) if times else None


# reader(key, codes) -> SourceRecord | None; ``key`` is the normalised ID number or credit code
Reader = Callable[[str, list[str]], "SourceRecord | None"]
_readers: dict[str, Reader] = {}


def register(library: str, reader: Reader) -> None:
    """The reader for one library (the last registered wins, so a test can stand in)."""
    _readers[library] = reader


def unregister(library: str) -> None:
    _readers.pop(library, None)


def reader_for(library: str) -> Reader | None:
    return _readers.get(library)


def fetch(library: str, key: str, codes: list[str]) -> SourceRecord | None:
    """The library's record for ``key`` restricted to ``codes``; None when it has none of
    them (or no reader is registered for the library)."""
    reader = _readers.get(library)
    if reader is None:
        return None
    record = reader(key, list(codes))
    if record is None:
        return None
    values = {c: record.values[c] for c in codes if record.values.get(c) not in (None, "")}
    if not values:
        return None
    codes_of = {c: str(record.codes[c]) for c in values if record.codes.get(c) is not None}
    return SourceRecord(values, dict(record.sources), dict(record.updated), codes_of)


@dataclass(frozen=True)
class Attribute:
    """One data item a library can give: its code, Chinese name and the id of the
    department that is its authoritative source (the only one that may offer it)."""

    code: str
    name: str
    owner_id: int


# attributes() -> {code: Attribute}, in the library's catalogue order
Catalogue = Callable[[], "dict[str, Attribute]"]
_catalogues: dict[str, Catalogue] = {}


def register_catalogue(library: str, catalogue: Catalogue) -> None:
    """The data items a library offers, so a resource's items can be checked against it."""
    _catalogues[library] = catalogue


def attributes(library: str) -> dict[str, Attribute] | None:
    """The library's data items by code, or None when no catalogue is registered (a
    resource's item codes are then taken as given)."""
    catalogue = _catalogues.get(library)
    return catalogue() if catalogue is not None else None
