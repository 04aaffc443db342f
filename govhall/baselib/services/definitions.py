"""The attribute catalogue: writing it from ``data.attributes`` and reading it cheaply.

Lookups need the definitions of a library on every call, so they are kept per process
and dropped whenever a definition is saved or deleted (and reloaded when a caller asks
for a code the cached copy lacks, e.g. one added by another process).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from govhall.regions.models import Department

from ..data import attributes as data
from ..models import AttributeDefinition, Library, ThemeLibrary

_cache: dict[str, dict[str, AttributeDefinition]] = {}


def _clear(**kwargs) -> None:
    _cache.clear()


post_save.connect(_clear, sender=AttributeDefinition, dispatch_uid="baselib-definitions-save")
post_delete.connect(_clear, sender=AttributeDefinition, dispatch_uid="baselib-definitions-del")


def of_library(library: str, *, reload: bool = False) -> dict[str, AttributeDefinition]:
    """Active definitions of ``library`` by code, in catalogue order (owner loaded)."""
    if reload or library not in _cache:
        _cache[library] = {
            d.code: d
            for d in AttributeDefinition.objects.filter(library=library, is_active=True)
            .select_related("owner")
            .order_by("sort_order", "code")
        }
    return _cache[library]


@transaction.atomic
def ensure() -> int:
    """Create the catalogue's attributes and thematic libraries that are missing (their
    owners must be in the department list); existing rows are left as edited. Returns
    how many rows were created."""
    created = 0
    owners: dict[tuple[str, str], Department | None] = {}
    for order, row in enumerate(data.ATTRIBUTES):
        code, name, library, owner_key, value_type, choices, standard, personal, text = row
        if owner_key not in owners:
            owners[owner_key] = Department.objects.filter(
                region_id=owner_key[0], name=owner_key[1]
            ).first()
        owner = owners[owner_key]
        if owner is None:
            continue
        _, was_created = AttributeDefinition.objects.get_or_create(
            library=library,
            code=code,
            defaults={
                "name": name,
                "owner": owner,
                "value_type": value_type,
                "choices": choices,
                "standard": standard,
                "personal": personal,
                "description": text,
                "sort_order": (order + 1) * 10,
            },
        )
        created += was_created
    for order, (code, name, library, text, conditions, fields) in enumerate(data.THEMES):
        _, was_created = ThemeLibrary.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "library": library,
                "description": text,
                "conditions": conditions,
                "fields": fields,
                "sort_order": (order + 1) * 10,
            },
        )
        created += was_created
    _cache.clear()
    return created


LIBRARIES = tuple(Library.values)
