"""The owner's conflict list: seeing the held updates and deciding each one.

A conflict belongs to the department that owns the disputed attributes (the sender,
since only owners may write). Staff holding any active post in that department see it
(superusers see all) and decide: ``adopt`` writes the reported values as of the reported
time, with history; ``keep`` leaves the stored values. Either way the decision, its
author and note are kept and audited.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from govhall.core.errors import refuse
from govhall.core.models import AuditEntry
from govhall.core.services import audit
from govhall.regions.services.scope import scope_of

from ..models import AttributeChange, Conflict
from . import definitions
from .library import MODEL_OF

ADOPT = "adopt"
KEEP = "keep"
DECISIONS = {ADOPT: Conflict.Status.ADOPTED, KEEP: Conflict.Status.KEPT}


def visible(user) -> QuerySet[Conflict]:
    """Conflicts of the departments where ``user`` holds a post (all for superusers)."""
    scope = scope_of(user)
    rows = Conflict.objects.select_related("owner", "resolved_by")
    if scope.is_superuser:
        return rows
    return rows.filter(owner_id__in=scope.department_ids)


def rows_for_display(conflicts) -> list[dict]:
    """Each conflict with its attributes' names and both values as people read them."""
    from .library import display, typed

    out = []
    for conflict in conflicts:
        catalogue = definitions.of_library(conflict.library)
        items = []
        for code, datum in conflict.stored.items():
            definition = catalogue.get(code)
            if definition is None:
                continue
            stored = typed(definition, datum.get("v"))
            reported = typed(definition, conflict.reported.get(code))
            items.append(
                {
                    "code": code,
                    "name": definition.name,
                    "stored": display(definition, stored),
                    "stored_as_of": datum.get("t", "")[:10],
                    "stored_ref": datum.get("r", ""),
                    "reported": display(definition, reported),
                }
            )
        out.append({"conflict": conflict, "items": items})
    return out


@transaction.atomic
def resolve(user, pk: int, decision: str, note: str = "") -> Conflict:
    """Adopt the reported values or keep the stored ones; refused if not the user's or
    decided already."""
    if decision not in DECISIONS:
        raise refuse("decision", "invalid", "处理方式须为 adopt（采用报送值）或 keep（保留现值）。")
    note = (note or "").strip()
    if len(note) > 300 or "\x00" in note:
        raise refuse("note", "invalid", "处理说明不超过300个字符。")
    conflict = visible(user).select_for_update(of=("self",)).filter(pk=pk).first()
    if conflict is None:
        raise refuse("id", "unknown_conflict", "冲突记录不存在，或不属于您所在部门。")
    if conflict.status != Conflict.Status.OPEN:
        raise refuse("id", "already_resolved", "该冲突已处理过。")
    now = timezone.now()
    if decision == ADOPT:
        _adopt(conflict, user, now)
    conflict.status = DECISIONS[decision]
    conflict.resolved_at = now
    conflict.resolved_by = user
    conflict.note = note
    conflict.save(update_fields=["status", "resolved_at", "resolved_by", "note"])
    audit.record(
        AuditEntry.Action.TRANSITION,
        instance=conflict,
        reason="基础信息库数据冲突处理",
        after={"decision": decision, "note": note, "attributes": sorted(conflict.stored)},
    )
    return conflict


def _adopt(conflict: Conflict, user, now) -> None:
    model = MODEL_OF[conflict.library]
    entry = model.objects.select_for_update().filter(pk=conflict.subject_id).first()
    if entry is None:
        raise refuse("id", "subject_gone", "冲突涉及的条目已不存在，无法采用报送值。")
    catalogue = definitions.of_library(conflict.library)
    attrs = dict(entry.attributes)
    as_of = conflict.reported_as_of.isoformat()
    changes = []
    for code, value in conflict.reported.items():
        definition = catalogue.get(code)
        if definition is None:
            continue
        previous = attrs.get(code)
        attrs[code] = {"v": value, "d": conflict.owner_id, "t": as_of, "r": conflict.reported_ref}
        changes.append(
            AttributeChange(
                library=conflict.library,
                subject_id=entry.pk,
                attribute=definition,
                value=value,
                previous=previous.get("v") if previous else None,
                source_id=conflict.owner_id,
                as_of=conflict.reported_as_of,
                record_ref=conflict.reported_ref,
                batch_id=conflict.batch_id,
                received_at=now,
            )
        )
    model.objects.filter(pk=entry.pk).update(attributes=attrs, updated_at=now)
    AttributeChange.objects.bulk_create(changes)
