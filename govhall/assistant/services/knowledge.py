"""The question-and-answer library (问答库): draft → submitted → published, four eyes.

* A department's staff (any post in it) write its standard answers.
* A hall's general answers (no department: opening hours, accounts, using the hall)
  are written by the region's hall administrators and catalogue reviewers.
* Reviewing (publish or return) takes a catalogue reviewer or hall administrator of the
  entry's department or region, never the author — as for catalogue versions.
* Publishing an entry made from queued questions closes them: the assistant answers
  that question from the entry next time.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import Item
from govhall.core.errors import deny, refuse
from govhall.core.services import audit
from govhall.regions.models import Department, Post, Region
from govhall.regions.services.scope import scope_of
from govhall.search.text import index_tokens

from ..models import KnowledgeEntry, QueuedQuestion

E = KnowledgeEntry.State
REVIEW_POSTS = (Post.CATALOGUE_REVIEWER, Post.HALL_ADMIN)


def can_write(user, department: Department | None, region: Region) -> bool:
    """``user=None`` is the system itself (demo data, imports), as in the catalogue."""
    if user is None:
        return True
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    if department is not None:
        return department.pk in scope.department_ids
    return any(h.post in REVIEW_POSTS and h.region_code == region.code for h in scope.posts)


def can_review(user, entry: KnowledgeEntry) -> bool:
    if user is None:
        return True
    scope = scope_of(user)
    if entry.author_id is not None and entry.author_id == getattr(user, "pk", None):
        return False
    if scope.is_superuser:
        return True
    return any(
        h.post in REVIEW_POSTS
        and (h.department_id == entry.department_id or h.region_code == entry.region_id)
        for h in scope.posts
    )


def visible_entries(user):
    scope = scope_of(user)
    rows = KnowledgeEntry.objects.select_related("department", "region", "item", "author")
    if scope.is_superuser:
        return rows
    regions = {h.region_code for h in scope.posts}
    from django.db.models import Q

    return rows.filter(Q(department_id__in=scope.department_ids) | Q(region_id__in=regions))


def visible_queue(user):
    scope = scope_of(user)
    rows = QueuedQuestion.objects.select_related("department", "region")
    if scope.is_superuser:
        return rows
    from django.db.models import Q

    general = {h.region_code for h in scope.posts if h.post in REVIEW_POSTS}
    return rows.filter(
        Q(department_id__in=scope.department_ids)
        | Q(department__isnull=True, region_id__in=general)
    )


def _tokens(entry: KnowledgeEntry) -> str:
    text = " ".join([entry.question, entry.phrasings, entry.item.name if entry.item_id else ""])
    return " ".join(dict.fromkeys(index_tokens(text)))


def _clean(question, answer, phrasings) -> tuple[str, str, str]:
    problems = []
    question = question.strip() if isinstance(question, str) else ""
    answer = answer.strip() if isinstance(answer, str) else ""
    phrasings = phrasings.strip() if isinstance(phrasings, str) else ""
    if not question:
        problems.append(("question", "required", "请填写问题。"))
    elif len(question) > 300:
        problems.append(("question", "max_length", "问题不能超过300个字。"))
    if not answer:
        problems.append(("answer", "required", "请填写解答。"))
    elif len(answer) > 4000:
        problems.append(("answer", "max_length", "解答不能超过4000个字。"))
    if len(phrasings) > 2000:
        problems.append(("phrasings", "max_length", "其他问法不能超过2000个字。"))
    if problems:
        from govhall.core.errors import Problem, Refusal

        raise Refusal([Problem(*p) for p in problems])
    return question, answer, phrasings


@transaction.atomic
def save_draft(
    user,
    *,
    region: Region,
    department: Department | None,
    question,
    answer,
    phrasings="",
    item_code: str = "",
    entry: KnowledgeEntry | None = None,
    source: QueuedQuestion | None = None,
) -> KnowledgeEntry:
    question, answer, phrasings = _clean(question, answer, phrasings)
    if not can_write(user, department, region):
        name = department.name if department else f"{region.name}大厅"
        raise deny(f"您不能编写“{name}”的知识条目。")
    item = None
    if item_code:
        item = Item.objects.filter(implementation_code=item_code).first()
        if item is None:
            raise refuse("item", "unknown_item", f"实施编码“{item_code}”不存在。")
    if entry is None:
        entry = KnowledgeEntry(author=user, region=region, department=department)
        before = None
    else:
        entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.state not in (E.DRAFT, E.RETURNED, E.PUBLISHED, E.RETIRED):
            raise refuse("state", "transition_not_allowed", "待审核的条目不能修改。")
        if entry.state in (E.PUBLISHED, E.RETIRED):
            entry.revision += 1  # a changed published answer is a new revision to review
        before = {"state": entry.state}
        entry.state = E.DRAFT
    entry.question, entry.answer, entry.phrasings, entry.item = question, answer, phrasings, item
    entry.tokens = _tokens(entry)
    entry.save()
    if source is not None:
        QueuedQuestion.objects.filter(pk=source.pk).update(entry=entry)
    audit.record(
        audit.Action.CREATE if before is None else audit.Action.UPDATE,
        instance=entry,
        before=before,
        after={"state": entry.state, "revision": entry.revision},
    )
    return entry


def _move(entry: KnowledgeEntry, allowed, to: str, reason: str) -> KnowledgeEntry:
    entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.state not in allowed:
        raise refuse(
            "state",
            "transition_not_allowed",
            f"条目当前为“{entry.get_state_display()}”，不能{reason}。",
        )
    before = entry.state
    entry.state = to
    return entry, before


def _audit_move(entry: KnowledgeEntry, before: str) -> None:
    audit.record(
        audit.Action.TRANSITION,
        instance=entry,
        before={"state": before},
        after={"state": entry.state},
    )


@transaction.atomic
def submit(entry: KnowledgeEntry, user) -> KnowledgeEntry:
    if not can_write(user, entry.department, entry.region):
        raise deny("您不能提交该知识条目。")
    entry, before = _move(entry, (E.DRAFT, E.RETURNED), E.SUBMITTED, "提交审核")
    entry.save(update_fields=["state", "updated_at"])
    audit.record(
        audit.Action.TRANSITION,
        instance=entry,
        before={"state": before},
        after={"state": entry.state},
    )
    return entry


@transaction.atomic
def review(entry: KnowledgeEntry, user, *, approve: bool, comment: str = "") -> KnowledgeEntry:
    if not can_review(user, entry):
        raise deny(
            "您不能审核该知识条目（须为本部门或本区划的审查人员，且不能审核自己编写的条目）。"
        )
    if not approve and not (comment or "").strip():
        raise refuse("comment", "required", "退回时请填写审核意见。")
    target = E.PUBLISHED if approve else E.RETURNED
    entry, before = _move(entry, (E.SUBMITTED,), target, "审核")
    entry.reviewer, entry.review_comment = user, (comment or "").strip()[:500]
    fields = ["state", "reviewer", "review_comment", "updated_at"]
    if approve:
        entry.published_at = timezone.now()
        fields.append("published_at")
    entry.save(update_fields=fields)
    if approve:
        QueuedQuestion.objects.filter(entry=entry, state=QueuedQuestion.State.OPEN).update(
            state=QueuedQuestion.State.ANSWERED
        )
    audit.record(
        audit.Action.TRANSITION,
        instance=entry,
        before={"state": before},
        after={"state": entry.state},
        reason=comment,
    )
    return entry


@transaction.atomic
def retire(entry: KnowledgeEntry, user) -> KnowledgeEntry:
    if not can_review(user, entry) and not can_write(user, entry.department, entry.region):
        raise deny("您不能下线该知识条目。")
    entry, before = _move(entry, (E.PUBLISHED,), E.RETIRED, "下线")
    entry.save(update_fields=["state", "updated_at"])
    audit.record(
        audit.Action.TRANSITION,
        instance=entry,
        before={"state": before},
        after={"state": entry.state},
    )
    return entry


@transaction.atomic
def dismiss(row: QueuedQuestion, user) -> None:
    if not visible_queue(user).filter(pk=row.pk).exists():
        raise deny("该问题不在您的处理范围内。")
    QueuedQuestion.objects.filter(pk=row.pk).update(state=QueuedQuestion.State.DISMISSED)
    audit.record(audit.Action.TRANSITION, instance=row, after={"state": "dismissed"})
