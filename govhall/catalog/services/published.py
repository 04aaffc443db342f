"""Published versions and their materials, read once per process.

A version is frozen once submitted (``models/items.py``): what an application reads of
the version in force — its 55 columns and its materials — is the same for every request
until the item points at another version. Reading and building them was about a fifth of
a one-call application's CPU (the ORM compiling the wide statement, the materials'
read), so each process keeps the last ``SIZE`` versions it read.

Entries are keyed by the version's id *and* its ``updated_at``: a version is saved (its
stamp moves) when its state changes and, as a draft, before its rows are replaced, so an
entry is never found for a row changed since it was read; only versions in a public
state (published or superseded) are kept. The item itself — its status, which version is
current, its department — is read fresh by every request. Each request gets its own
copies (the version, its JSON fields, its materials), so nothing one request sets on
them is seen by another.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict

from django.db.models import F, QuerySet, prefetch_related_objects

from govhall.core.prepared import Prepared

from ..models import Item, ItemVersion

SIZE = 512  # a version row carries its guide's texts: tens of kB each
STAMP = "_current_updated_at"  # what ``items()`` adds: the current version's stamp

_JSON_FIELDS = ("form_fields", "decision_rules")
# (version id, updated_at) -> (the version as read, its materials' prefetched queryset)
_entries: OrderedDict[tuple, tuple[ItemVersion, QuerySet]] = OrderedDict()
_lock = threading.Lock()


def items() -> QuerySet[Item]:
    """Items with their department and their current version's stamp (not its columns);
    ``attach`` gives them the version."""
    return Item.objects.select_related("department").annotate(**{STAMP: F("current__updated_at")})


# The item an application names by its code, as ``items()`` reads it (its department and
# its current version's stamp), compiled once per connection: every application reads it.
_by_code = Prepared(Item, lambda code: items().filter(implementation_code=code).order_by("pk")[:1])


def item_by_code(code: str) -> Item | None:
    """``items().filter(implementation_code=code).first()``, read fresh, without compiling."""
    found = _by_code(code)
    return found[0] if found else None


def attach(items_: list[Item]) -> list[Item]:
    """Give each item read by ``items()`` its current version with its materials
    prefetched: a copy of this process's entry, or read (two statements) and kept."""
    for item in items_:
        if item.current_id is None:
            continue
        entry = _get((item.current_id, getattr(item, STAMP)))
        if entry is None:
            version = ItemVersion.objects.get(pk=item.current_id)
            prefetch_related_objects([version], "materials")
            _remember(version)
            item.current = version
        else:
            item.current = _copy(*entry)
    return items_


def with_materials(versions: list[ItemVersion]) -> None:
    """Prefetch the materials of these versions, as ``prefetch_related_objects`` does,
    from this process's entries where it has them."""
    missing = []
    for version in versions:
        if "materials" in getattr(version, "_prefetched_objects_cache", {}):
            continue
        entry = _get((version.pk, version.updated_at))
        if entry is None:
            missing.append(version)
        else:
            _set_materials(version, entry[1])
    if missing:
        prefetch_related_objects(missing, "materials")
        for version in missing:
            _remember(version)


def clear() -> None:
    with _lock:
        _entries.clear()


def _get(key: tuple):
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
        return entry


def _remember(version: ItemVersion) -> None:
    """Keep a copy of a public version just read with its materials."""
    if version.state not in ItemVersion.PUBLIC_STATES:
        return
    kept = _isolated(version)
    materials = version._prefetched_objects_cache["materials"]
    kept_materials = materials._chain()
    kept_materials._result_cache = [copy.copy(m) for m in materials]
    kept_materials._prefetch_done = True
    key = (version.pk, version.updated_at)
    with _lock:
        _entries[key] = (kept, kept_materials)
        _entries.move_to_end(key)
        while len(_entries) > SIZE:
            _entries.popitem(last=False)


def _isolated(version: ItemVersion) -> ItemVersion:
    """A copy sharing nothing mutable with ``version`` (its caches left out)."""
    out = copy.copy(version)
    out.__dict__.pop("_prefetched_objects_cache", None)
    out._state.fields_cache = {}
    for name in _JSON_FIELDS:
        out.__dict__[name] = copy.deepcopy(out.__dict__[name])
    return out


def _copy(version: ItemVersion, materials: QuerySet) -> ItemVersion:
    out = _isolated(version)
    _set_materials(out, materials)
    return out


def _set_materials(version: ItemVersion, materials: QuerySet) -> None:
    rows = materials._chain()
    rows._result_cache = [copy.copy(m) for m in materials._result_cache]
    for row in rows._result_cache:
        row._state.fields_cache = {"version": version}
    rows._prefetch_done = True
    version.__dict__.setdefault("_prefetched_objects_cache", {})["materials"] = rows
