"""The editorial workflow of item versions: one explicit table of allowed transitions.

draft ──submit──▶ submitted ──approve──▶ reviewed ──publish──▶ published ──(next)──▶ superseded
  │                   │                      │
  └─discard─▶ discarded └──return──▶ returned ◀──return──┘

A returned version stays as it was (the reviewer's comment refers to it); the editor
fixes it in a new draft based on it (``items.new_draft``), so every change is a new
version. Publishing makes the version the item's current one and applies its change
type: 暂停 suspends the item, 取消 cancels it, 拆分/合并 cancel the source items.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from govhall.core import context
from govhall.core.errors import Problem, Refusal

from ..models import ChangeRecord, ChangeType, Item, ItemVersion, ReviewRecord
from ..signals import version_published
from . import documents, permissions, rules, search_hooks

S = ItemVersion.State
A = ReviewRecord.Action

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    A.RETURN: (frozenset({S.SUBMITTED, S.REVIEWED}), S.RETURNED),
    A.APPROVE: (frozenset({S.SUBMITTED}), S.REVIEWED),
    A.PUBLISH: (frozenset({S.REVIEWED}), S.PUBLISHED),
    A.DISCARD: (frozenset({S.DRAFT}), S.DISCARDED),
}
STATUS_AFTER = {
    ChangeType.SUSPEND: Item.Status.SUSPENDED,
    ChangeType.CANCEL: Item.Status.CANCELLED,
}


def allowed_actions(version: ItemVersion) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if version.state in sources]


def _lock(version: ItemVersion) -> ItemVersion:
    return (
        ItemVersion.objects.select_for_update()
        .select_related("item__department", "item__region")
        .get(pk=version.pk)
    )


def _move(version: ItemVersion, action: str) -> None:
    sources, target = TRANSITIONS[action]
    if version.state not in sources:
        raise Refusal(
            Problem(
                "state",
                "transition_not_allowed",
                f"第{version.number}版当前为“{version.get_state_display()}”，"
                f"不能执行“{A(action).label}”。",
            )
        )
    version.state = target


def _record(version, action, actor, comment="", **checks) -> ReviewRecord:
    return ReviewRecord.objects.create(
        version=version,
        action=action,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        comment=comment,
        **checks,
    )


def _authors(version: ItemVersion) -> set[int]:
    ids = set(
        version.reviews.filter(action__in=[A.CREATE, A.SUBMIT, A.IMPORT]).values_list(
            "actor_id", flat=True
        )
    )
    if version.created_by_id:
        ids.add(version.created_by_id)
    ids.discard(None)
    return ids


def _four_eyes(version: ItemVersion, actor) -> None:
    if actor is not None and not actor.is_superuser and actor.pk in _authors(version):
        raise Refusal(
            Problem(
                "reviewer",
                "four_eyes",
                "审查人不能审查自己编辑或提交的版本，请由其他审查人员办理。",
            )
        )


@transaction.atomic
def submit(version: ItemVersion, actor=None, comment: str = "") -> ItemVersion:
    """Submit a draft for legality and compliance review; the guide must be complete."""
    version = _lock(version)
    permissions.require_edit(actor, version.item.department)
    _move(version, A.SUBMIT)
    doc = documents.version_document(version)
    problems = rules.check(doc, version.item.item_type, complete=True)
    if problems:
        raise Refusal(problems)
    version.submitted_at = timezone.now()
    with context.acting(reason="提交事项审查"):
        version.save(update_fields=["state", "submitted_at", "updated_at"])
    _record(version, A.SUBMIT, actor, comment)
    return version


@transaction.atomic
def return_version(
    version: ItemVersion,
    actor=None,
    comment: str = "",
    *,
    legality_ok: bool | None = None,
    compliance_ok: bool | None = None,
) -> ItemVersion:
    """Send a version back to the editor with the reviewer's reasons."""
    version = _lock(version)
    permissions.require_review(actor, version.item)
    if not comment.strip():
        raise Refusal(Problem("comment", "required", "退回修改时必须填写审查意见。"))
    _move(version, A.RETURN)
    version.reviewed_at = timezone.now()
    with context.acting(reason=f"退回修改：{comment[:200]}"):
        version.save(update_fields=["state", "reviewed_at", "updated_at"])
    _record(
        version,
        A.RETURN,
        actor,
        comment,
        legality_ok=legality_ok,
        compliance_ok=compliance_ok,
    )
    return version


@transaction.atomic
def approve(
    version: ItemVersion,
    actor=None,
    comment: str = "",
    *,
    legality_ok: bool = True,
    compliance_ok: bool = True,
) -> ItemVersion:
    """Pass the legality (合法性) and compliance (合规性) review."""
    version = _lock(version)
    permissions.require_review(actor, version.item)
    _four_eyes(version, actor)
    if not (legality_ok and compliance_ok):
        raise Refusal(
            Problem(
                "legality_ok" if not legality_ok else "compliance_ok",
                "review_failed",
                "合法性、合规性审查均通过才能审查通过；未通过时请退回修改并写明意见。",
            )
        )
    _move(version, A.APPROVE)
    version.reviewed_at = timezone.now()
    with context.acting(reason="事项合法性、合规性审查通过"):
        version.save(update_fields=["state", "reviewed_at", "updated_at"])
    _record(version, A.APPROVE, actor, comment, legality_ok=True, compliance_ok=True)
    return version


@transaction.atomic
def publish(version: ItemVersion, actor=None, comment: str = "") -> ItemVersion:
    """Put a reviewed version in force."""
    version = _lock(version)
    permissions.require_review(actor, version.item)
    _four_eyes(version, actor)
    _move(version, A.PUBLISH)
    _take_effect(version, actor)
    _record(version, A.PUBLISH, actor, comment)
    return version


@transaction.atomic
def publish_directly(version: ItemVersion, actor=None, comment: str = "") -> ItemVersion:
    """For bulk imports by the system or an authorised reviewer: draft straight to published."""
    version = _lock(version)
    if actor is not None:
        permissions.require_edit(actor, version.item.department)
        permissions.require_review(actor, version.item)
    if version.state != S.DRAFT:
        raise Refusal(Problem("state", "transition_not_allowed", "只有草稿可以直接发布。"))
    version.state = S.PUBLISHED
    _take_effect(version, actor)
    _record(version, A.IMPORT, actor, comment or "批量导入，直接发布")
    return version


@transaction.atomic
def discard(version: ItemVersion, actor=None, comment: str = "") -> ItemVersion:
    version = _lock(version)
    permissions.require_edit(actor, version.item.department)
    _move(version, A.DISCARD)
    version.save(update_fields=["state", "updated_at"])
    _record(version, A.DISCARD, actor, comment)
    return version


def _record_change(item: Item, version: ItemVersion, change_type: str, actor) -> ChangeRecord:
    """The catalogue's record of a change that took effect, described as ``version`` is."""
    return ChangeRecord.objects.create(
        item=item,
        version=version,
        change_type=change_type,
        summary=version.change_summary,
        actor=actor,
    )


def _take_effect(version: ItemVersion, actor) -> None:
    item = Item.objects.select_for_update().get(pk=version.item_id)
    previous = item.current
    if previous is not None:
        previous.state = S.SUPERSEDED
        previous.save(update_fields=["state", "updated_at"])
    version.published_at = timezone.now()
    with context.acting(reason=f"发布第{version.number}版（{version.get_change_type_display()}）"):
        version.save(update_fields=["state", "published_at", "updated_at"])
        item.current = version
        item.name = version.name
        item.status = STATUS_AFTER.get(version.change_type, Item.Status.ACTIVE)
        item.save(update_fields=["current", "name", "status"])
    record = _record_change(item, version, version.change_type, actor)
    sources = list(version.source_items.all())
    if sources:
        record.related_items.set(sources)
    if version.change_type in (ChangeType.SPLIT, ChangeType.MERGE):
        for source in sources:
            _cancel_source(source, version, actor)
    if item.status == Item.Status.ACTIVE:
        search_hooks.index(item)
    else:
        search_hooks.remove(item)
    version_published.send(sender=ItemVersion, version=version, item=item)


def _cancel_source(source: Item, cause: ItemVersion, actor) -> None:
    """A split or merged item ends when its successor is published (recorded, not deleted)."""
    source = Item.objects.select_for_update().get(pk=source.pk)
    if source.status == Item.Status.CANCELLED or source.current is None:
        return
    label = cause.get_change_type_display()
    for open_version in source.versions.filter(state__in=[S.DRAFT, S.SUBMITTED, S.REVIEWED]):
        open_version.state = S.DISCARDED
        open_version.save(update_fields=["state", "updated_at"])
        _record(open_version, A.DISCARD, actor, f"因{label}为“{cause.item.name}”作废")
    latest = source.versions.order_by("-number").first()
    previous = source.current
    doc = documents.content_document(previous)
    doc.update(
        change_type=cause.change_type,
        change_summary=f"{label}为“{cause.item.name}”（{cause.item.implementation_code}）",
    )
    previous.state = S.SUPERSEDED
    previous.save(update_fields=["state", "updated_at"])
    version = ItemVersion(
        item=source,
        number=latest.number + 1,
        created_by=actor,
        based_on=previous,
        state=S.PUBLISHED,
        published_at=timezone.now(),
    )
    documents.write_content(version, doc)
    source.current, source.status = version, Item.Status.CANCELLED
    source.save(update_fields=["current", "status"])
    record = _record_change(source, version, cause.change_type, actor)
    record.related_items.set([cause.item])
    _record(version, A.PUBLISH, actor, version.change_summary)
    search_hooks.remove(source)
    version_published.send(sender=ItemVersion, version=version, item=source)
