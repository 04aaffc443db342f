"""Co-occurrence in case history: what applicants of an item usually apply for next.

``build`` computes it offline over the analysis store (the applicants' application
records, pseudonymised) and replaces the ``NextItem`` table; ``for_item`` reads it for
the next-service recommendation (spaces), which puts the catalogue's declared follow-on
items first and fills up with these, each with its reason.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import Item

from ..models import NextItem
from . import examples, store

WITHIN_DAYS = 180
MIN_APPLICANTS = 3  # fewer than this is an anecdote, not "usually"
MIN_SHARE = 0.02
PER_ITEM = 10


def build(*, within_days: int = WITHIN_DAYS, min_applicants: int = MIN_APPLICANTS,
          min_share: float = MIN_SHARE, con=None) -> int:  # fmt: skip
    """Rebuild the table from the store; returns how many pairs it keeps."""
    con = con or store.connect()
    found = examples.next_items(con, within_days=within_days, min_applicants=min_applicants)
    kept = keep(found, min_share=min_share)
    rows = [row for pairs in kept.values() for row in pairs]
    codes = {r[0] for r in rows} | {r[1] for r in rows}
    names = dict(
        Item.objects.filter(implementation_code__in=codes).values_list(
            "implementation_code", "name"
        )
    )
    now = timezone.now()
    objects = [
        NextItem(
            from_code=f,
            to_code=t,
            from_name=names.get(f, ""),
            to_name=names.get(t, ""),
            applicants=n,
            base=b,
            share=s,
            built_at=now,
        )
        for f, t, n, b, s in rows
    ]
    with transaction.atomic():
        NextItem.objects.all().delete()
        NextItem.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def keep(found, *, min_share: float = MIN_SHARE, per_item: int = PER_ITEM) -> dict[str, list]:
    """The pairs worth keeping, per first item, best share first (``found`` as
    ``examples.next_items`` returns it: ordered by first item, then share)."""
    kept: dict[str, list[tuple]] = {}
    for row in found:
        pairs = kept.setdefault(row[0], [])
        if row[4] >= min_share and len(pairs) < per_item:
            pairs.append(row)
    return {code: pairs for code, pairs in kept.items() if pairs}


def for_item(code: str, limit: int = 3) -> list[NextItem]:
    return list(NextItem.objects.filter(from_code=code).order_by("-share", "to_code")[:limit])
