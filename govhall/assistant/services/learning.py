"""The learning loop: questions the knowledge base could not answer well, grouped.

A question is grouped with earlier open ones that have the same content words (after
the aspect phrases, fillers and region name are removed, so 低保要什么材料 and
低保需要带啥材料 fall together); each group counts how often it was asked and goes to the
department of the item discussed, or to the region's hall when no item was found.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from govhall.core.services import audit

from ..models import QueuedQuestion
from .understanding import understand


def group_key(question: str) -> str:
    u = understand(question)
    words = sorted(set(u.words)) or [u.text]
    return f"{u.aspect}|{' '.join(words)}"[:200]


@transaction.atomic
def enqueue(question: str, reason: str, *, region_code=None, item=None, department=None):
    if department is None and item is not None:
        department = item.department
    key = group_key(question)
    existing = (
        QueuedQuestion.objects.select_for_update()
        .filter(
            state=QueuedQuestion.State.OPEN,
            group_key=key,
            region_id=region_code,
            department=department,
        )
        .first()
    )
    if existing is not None:
        QueuedQuestion.objects.filter(pk=existing.pk).update(
            count=F("count") + 1, last_asked_at=timezone.now()
        )
        return existing
    row = QueuedQuestion.objects.create(
        group_key=key,
        question=question[:200],
        region_id=region_code,
        department=department,
        reason=reason,
    )
    audit.record(
        audit.Action.CREATE,
        instance=row,
        object_repr=row.question,
        after={"reason": reason, "group_key": key},
    )
    return row
