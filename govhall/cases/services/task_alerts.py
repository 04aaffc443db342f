"""Telling staff that a case landed in their queue (新待办提醒): a site message per task
and holder, written after the fact so that submitting or handling a case costs no extra
statement.

A task (``CaseStep``) is in the queue of every active holder of its post at its
department (``access.inbox``). ``deliver`` writes one ``Notification`` per new task and
holder — its ``event`` is ``task:<step id>``, so a task is announced once — and is run by
the periodic job ``notify_new_tasks`` and, for the signed-in user, by the workbench's
polling badge (``poll``). The applicant of a case is never told of their own case
(recusal, as ``access.inbox`` excludes it). Staff messages stay in the site inbox: no
SMS or email is queued for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from govhall.regions.models import Post, StaffPost

from ..models import CaseStep, Notification, StepState
from . import access

EVENT_PREFIX = "task:"
# Tasks older than this are not announced any more (a new holder of a post is not sent
# their department's whole backlog; the inbox lists it).
WINDOW = datetime.timedelta(days=2)
HANDLING_POSTS = (Post.CLERK, Post.REVIEWER, Post.APPROVER)


def _message(step: CaseStep, user_id: int) -> Notification:
    return Notification(
        user_id=user_id,
        case_number=step.case_number,
        event=f"{EVENT_PREFIX}{step.pk}",
        title=f"新待办：{step.name}",
        body=f"办件{step.case_number}（{step.item_name}，申请人{step.applicant_name}）"
        f"已进入您的待办，环节“{step.name}”，到期日{step.due_date or '—'}。",
        link=reverse("workbench:case", args=[step.case_number]),
    )


def _announced(user_ids, since) -> set[tuple[int, str]]:
    return set(
        Notification.objects.filter(
            user_id__in=user_ids, event__startswith=EVENT_PREFIX, created_at__gte=since - WINDOW
        ).values_list("user_id", "event")
    )


@transaction.atomic
def deliver(user=None, now: datetime.datetime | None = None) -> int:
    """Write the messages of open tasks started within ``WINDOW`` that their holders
    (or only ``user``) were not told of yet; answer how many were written."""
    since = (now or timezone.now()) - WINDOW
    if user is not None:
        steps = list(access.inbox(user).filter(started_at__gte=since).select_related("case"))
        holders = {(s.post, s.department_id): [user.pk] for s in steps}
    else:
        steps = list(
            CaseStep.objects.filter(
                state=StepState.OPEN, started_at__gte=since, post__in=HANDLING_POSTS
            ).select_related("case")
        )
        holders = _holders({(s.post, s.department_id) for s in steps})
    wanted = [
        (step, user_id)
        for step in steps
        for user_id in holders.get((step.post, step.department_id), ())
        if user_id != step.case.user_id
    ]
    if not wanted:
        return 0
    done = _announced({u for _, u in wanted}, since)
    new = [
        _message(step, user_id)
        for step, user_id in wanted
        if (user_id, f"{EVENT_PREFIX}{step.pk}") not in done
    ]
    Notification.objects.bulk_create(new)
    return len(new)


def _holders(pairs) -> dict[tuple[str, int], list[int]]:
    if not pairs:
        return {}
    condition = Q()
    for post, department in pairs:
        condition |= Q(post=post, department_id=department)
    found: dict[tuple[str, int], list[int]] = {}
    rows = StaffPost.objects.filter(condition, is_active=True, user__is_active=True)
    for post, department, user_id in rows.values_list("post", "department_id", "user_id"):
        found.setdefault((post, department), []).append(user_id)
    return found


@dataclass(frozen=True)
class Badge:
    """What the workbench's badge shows: open tasks, unread new-task messages, and the
    newest of those (for the browser's own notification, when the user allowed it)."""

    pending: int
    unread: int
    latest: list[dict]

    def as_json(self) -> dict:
        return {"pending": self.pending, "unread": self.unread, "latest": self.latest}


def poll(user) -> Badge:
    """Deliver this user's new-task messages, then count what the badge shows."""
    deliver(user)
    unread = Notification.objects.filter(
        user=user, event__startswith=EVENT_PREFIX, read_at__isnull=True
    )
    latest = [
        {"id": n.pk, "title": n.title, "body": n.body, "link": n.link}
        for n in unread.order_by("-created_at", "-pk")[:3]
    ]
    return Badge(access.inbox(user).count(), unread.count(), latest)


def mark_read(user, case_number: str) -> int:
    """Opening a case reads its new-task messages."""
    return Notification.objects.filter(
        user=user,
        case_number=case_number,
        event__startswith=EVENT_PREFIX,
        read_at__isnull=True,
    ).update(read_at=timezone.now())
