"""Online consultation (在线咨询): the assistant hands a conversation to a department.

The citizen side needs no account: handing over returns a secret token (only its
SHA-256 is stored) that the citizen's page sends with each message, as the case
progress query pairs a number with an ID. Staff act through their posts: the
consultations of the departments where they hold a post. Every change is one
transaction with one audit entry; messages are rows, so any app process can deliver
them (the pages poll; see docs/assistant.md for why not WebSockets).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from govhall.core.errors import deny, refuse
from govhall.core.logging import mask_text
from govhall.core.services import audit, calendar
from govhall.regions.models import Department
from govhall.regions.services.scope import scope_of

from ..models import Consultation, ConsultationMessage, Conversation, QueuedQuestion
from . import learning

logger = logging.getLogger(__name__)
MAX_MESSAGE = 1000
S = Consultation.State


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _find(public_id) -> Consultation:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise refuse("consultation", "unknown_consultation", "咨询不存在。") from None
    found = Consultation.objects.select_related("department", "region").filter(public_id=key)
    consultation = found.first()
    if consultation is None:
        raise refuse("consultation", "unknown_consultation", "咨询不存在。")
    return consultation


def for_citizen(public_id, token: str) -> Consultation:
    """The consultation if the token is its own; otherwise the same 'not found'."""
    consultation = _find(public_id)
    if not token or not hmac.compare_digest(consultation.token_digest, _digest(str(token))):
        raise refuse("consultation", "unknown_consultation", "咨询不存在。")
    return consultation


def may_handle(user, consultation: Consultation) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or consultation.department_id in scope.department_ids


def for_staff(user, public_id) -> Consultation:
    consultation = _find(public_id)
    if not may_handle(user, consultation):
        raise refuse("consultation", "unknown_consultation", "咨询不存在。")
    return consultation


def staff_queue(user):
    """Consultations of the departments where the user holds a post, open ones first."""
    scope = scope_of(user)
    rows = Consultation.objects.select_related("department", "region", "agent", "item")
    if not scope.is_superuser:
        rows = rows.filter(department_id__in=scope.department_ids)
    return rows


def responsible_department(conversation: Conversation | None, region_code: str | None):
    """The department of the item discussed, else the region's (or a level above's)
    government service centre."""
    if conversation is not None and conversation.item_id:
        return conversation.item.department
    from govhall.search.engine import _ancestor_codes

    code = region_code or (conversation.region_id if conversation else None) or "440000"
    for candidate in [code, *_ancestor_codes(code)]:
        found = (
            Department.objects.filter(
                region_id=candidate, kind=Department.Kind.SERVICE_CENTRE, is_active=True
            )
            .order_by("sort_order", "pk")
            .first()
        )
        if found is not None:
            return found
    raise refuse("region", "no_department", "该地区暂未开通在线咨询，请拨打12345热线。")


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def opening_hours() -> tuple[datetime.time, datetime.time]:
    raw = getattr(settings, "GOVHALL_CONSULTATION_HOURS", "08:30-17:30")
    start, end = (datetime.time.fromisoformat(p.strip()) for p in raw.split("-", 1))
    return start, end


def is_open(moment: datetime.datetime) -> bool:
    """Agents answer live on working days within the opening hours (local time)."""
    local = timezone.localtime(moment)
    start, end = opening_hours()
    return calendar.is_working_day(local.date()) and start <= local.time() < end


def written_due_date(moment: datetime.datetime) -> datetime.date:
    days = int(getattr(settings, "GOVHALL_WRITTEN_ANSWER_DAYS", 3))
    return calendar.add_working_days(timezone.localtime(moment).date(), days).due_date


@dataclass
class HandOver:
    consultation: Consultation
    token: str


def _text(value, field: str = "text", limit: int = MAX_MESSAGE) -> str:
    if not isinstance(value, str) or not value.strip():
        raise refuse(field, "required", "请输入内容。")
    value = value.strip()
    if len(value) > limit:
        raise refuse(field, "max_length", f"内容不能超过{limit}个字。")
    return value


@transaction.atomic
def hand_over(*, conversation=None, question=None, region=None, user=None, now=None) -> HandOver:
    """Open a consultation from an assistant conversation (or a guide's 我要咨询).

    Outside the opening hours it becomes a written consultation (书面咨询) with an answer
    deadline in working days; the department answers it in the same thread."""
    now = now or timezone.now()
    talk = None
    if conversation:
        try:
            key = uuid.UUID(str(conversation))
        except ValueError:
            raise refuse(
                "conversation", "invalid", "conversation必须是提问时返回的会话编号。"
            ) from None
        talk = Conversation.objects.select_related("item__department").filter(public_id=key).first()
        if talk is None:
            raise refuse("conversation", "unknown_conversation", "会话不存在或已过期。")
    last = talk.turns.order_by("-pk").first() if talk else None
    if question in (None, "") and last is not None:
        question = last.question
    question = _text(question, "question", 500)
    region_code = region or (talk.region_id if talk else None)
    department = responsible_department(talk, region_code)
    token = secrets.token_urlsafe(24)
    written = not is_open(now)
    consultation = Consultation.objects.create(
        kind=Consultation.Kind.WRITTEN if written else Consultation.Kind.ONLINE,
        due_date=written_due_date(now) if written else None,
        token_digest=_digest(token),
        conversation=talk,
        department=department,
        region_id=region_code or department.region_id,
        item=talk.item if talk else None,
        question=question,
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    ConsultationMessage.objects.create(
        consultation=consultation, sender=ConsultationMessage.Sender.CITIZEN, text=question
    )
    if written:
        start, end = opening_hours()
        notice = (
            f"现在不是在线咨询时间（工作日{start:%H:%M}-{end:%H:%M}），已转为书面咨询，"
            f"{department.name}将于{_day(consultation.due_date)}前答复，"
            "答复会显示在本页面。"
        )
    else:
        notice = f"已转接{department.name}的工作人员，请稍候。"
    ConsultationMessage.objects.create(
        consultation=consultation, sender=ConsultationMessage.Sender.SYSTEM, text=notice
    )
    learning.enqueue(
        question,
        QueuedQuestion.Reason.HUMAN,
        region_code=consultation.region_id,
        department=department,
    )
    audit.record(
        audit.Action.CREATE,
        instance=consultation,
        object_repr=f"在线咨询：{question[:40]}",
        after={
            "department": department.name,
            "state": consultation.state,
            "kind": consultation.kind,
            "due_date": consultation.due_date,
        },
    )
    return HandOver(consultation, token)


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _transition(consultation, before, after, reason):
    audit.record(
        audit.Action.TRANSITION,
        instance=consultation,
        object_repr=f"在线咨询：{consultation.question[:40]}",
        before={"state": before},
        after={"state": after},
        reason=reason,
    )


@transaction.atomic
def take(consultation: Consultation, user) -> Consultation:
    consultation = _locked(consultation)
    if not may_handle(user, consultation):
        raise deny("您不是该部门的工作人员，不能接入这条咨询。")
    if consultation.state != S.WAITING:
        raise refuse("consultation", "transition_not_allowed", "这条咨询已被接入或已结束。")
    consultation.state, consultation.agent, consultation.taken_at = S.ACTIVE, user, timezone.now()
    consultation.save(update_fields=["state", "agent", "taken_at"])
    ConsultationMessage.objects.create(
        consultation=consultation,
        sender=ConsultationMessage.Sender.SYSTEM,
        text="工作人员已接入，正在为您解答。",
    )
    _transition(consultation, S.WAITING, S.ACTIVE, "坐席接入")
    return consultation


@transaction.atomic
def reply(consultation: Consultation, user, text) -> ConsultationMessage:
    text = _text(text)
    consultation = _locked(consultation)
    if not may_handle(user, consultation):
        raise deny("您不是该部门的工作人员，不能答复这条咨询。")
    if consultation.state == S.CLOSED:
        raise refuse("consultation", "transition_not_allowed", "这条咨询已结束，不能再答复。")
    now = timezone.now()
    fields = []
    if consultation.state == S.WAITING:
        consultation.state, consultation.agent, consultation.taken_at = S.ACTIVE, user, now
        fields += ["state", "agent", "taken_at"]
        _transition(consultation, S.WAITING, S.ACTIVE, "坐席答复即接入")
    if consultation.first_reply_at is None:
        consultation.first_reply_at = now
        fields.append("first_reply_at")
    if fields:
        consultation.save(update_fields=fields)
    message = ConsultationMessage.objects.create(
        consultation=consultation, sender=ConsultationMessage.Sender.AGENT, author=user, text=text
    )
    audit.record(
        audit.Action.CREATE,
        instance=message,
        object_repr="在线咨询答复",
        after={"length": len(text)},
    )
    return message


@transaction.atomic
def transfer(consultation: Consultation, user, department_code) -> Consultation:
    """Hand the consultation to another department (it waits in that queue again)."""
    consultation = _locked(consultation)
    if not may_handle(user, consultation):
        raise deny("您不是该部门的工作人员，不能转交这条咨询。")
    if consultation.state == S.CLOSED:
        raise refuse("consultation", "transition_not_allowed", "这条咨询已结束，不能转交。")
    target = (
        Department.objects.filter(credit_code=department_code, is_active=True).first()
        if isinstance(department_code, str) and department_code
        else None
    )
    if target is None:
        raise refuse("department", "unknown_department", "请选择要转交的部门（统一社会信用代码）。")
    if target.pk == consultation.department_id:
        raise refuse("department", "same_department", "咨询已在该部门，无需转交。")
    before = consultation.department.name
    consultation.department, consultation.state = target, S.WAITING
    consultation.agent, consultation.taken_at = None, None
    consultation.save(update_fields=["department", "state", "agent", "taken_at"])
    ConsultationMessage.objects.create(
        consultation=consultation,
        sender=ConsultationMessage.Sender.SYSTEM,
        text=f"已由{before}转交{target.name}，请稍候。",
    )
    audit.record(
        audit.Action.TRANSITION,
        instance=consultation,
        object_repr=f"在线咨询：{consultation.question[:40]}",
        before={"department": before},
        after={"department": target.name, "state": S.WAITING},
        reason="转交其他部门",
    )
    return consultation


def transfer_targets(consultation: Consultation):
    """Departments of the consultation's region and the levels above, for the console."""
    from govhall.search.engine import _ancestor_codes

    codes = [consultation.region_id, *_ancestor_codes(consultation.region_id)]
    return (
        Department.objects.filter(region_id__in=codes, is_active=True)
        .exclude(pk=consultation.department_id)
        .select_related("region")
        .order_by("region_id", "sort_order", "name")
    )


@transaction.atomic
def citizen_message(consultation: Consultation, text) -> ConsultationMessage:
    text = _text(text)
    consultation = _locked(consultation)
    if consultation.state == S.CLOSED:
        raise refuse(
            "consultation", "transition_not_allowed", "这条咨询已结束，如有新问题请重新咨询。"
        )
    return ConsultationMessage.objects.create(
        consultation=consultation, sender=ConsultationMessage.Sender.CITIZEN, text=text
    )


@transaction.atomic
def close(consultation: Consultation, *, user=None, by_citizen=False) -> Consultation:
    consultation = _locked(consultation)
    if not by_citizen and not may_handle(user, consultation):
        raise deny("您不是该部门的工作人员，不能结束这条咨询。")
    if consultation.state == S.CLOSED:
        raise refuse("consultation", "transition_not_allowed", "这条咨询已经结束。")
    before = consultation.state
    consultation.state, consultation.closed_at = S.CLOSED, timezone.now()
    consultation.save(update_fields=["state", "closed_at"])
    who = "群众" if by_citizen else "工作人员"
    ConsultationMessage.objects.create(
        consultation=consultation,
        sender=ConsultationMessage.Sender.SYSTEM,
        text=f"{who}已结束本次咨询，欢迎对本次服务进行评价。",
    )
    _transition(consultation, before, S.CLOSED, f"{who}结束咨询")
    return consultation


@transaction.atomic
def rate(consultation: Consultation, level, comment: str = "", consent=False) -> Consultation:
    consultation = _locked(consultation)
    if consultation.state != S.CLOSED:
        raise refuse("consultation", "transition_not_allowed", "咨询结束后才能评价。")
    if consultation.rating is not None:
        raise refuse("level", "already_rated", "您已经评价过这次咨询。")
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise refuse("level", "invalid", "评价等级须为1至5的整数（1 非常满意 … 5 非常不满意）。")
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if level >= 4 and not comment:
        raise refuse("comment", "required", "选择“不满意”或“非常不满意”时请填写意见。")
    consultation.rating, consultation.rating_comment = level, comment[:300]
    consultation.publish_consent = consent is True
    consultation.save(update_fields=["rating", "rating_comment", "publish_consent"])
    audit.record(
        audit.Action.UPDATE,
        instance=consultation,
        object_repr="在线咨询评价",
        after={"rating": level, "publish_consent": consultation.publish_consent},
    )
    return consultation


@transaction.atomic
def remind_written(now=None) -> int:
    """Written consultations unanswered on their last working day (or later): one
    reminder each, in the thread the department's consultants see, logged and audited."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    tomorrow = calendar.add_working_days(today, 1).due_date
    due = (
        Consultation.objects.select_for_update()
        .filter(
            kind=Consultation.Kind.WRITTEN,
            first_reply_at__isnull=True,
            reminded_at__isnull=True,
            due_date__lt=tomorrow,
        )
        .exclude(state=S.CLOSED)
    )
    count = 0
    for consultation in due:
        late = consultation.due_date < today
        day = _day(consultation.due_date)
        text = (
            f"【催办】书面咨询已超过答复期限（{day}），请立即答复。"
            if late
            else f"【提醒】书面咨询将于今日（{day}）到期，请尽快答复。"
        )
        ConsultationMessage.objects.create(
            consultation=consultation, sender=ConsultationMessage.Sender.SYSTEM, text=text
        )
        consultation.reminded_at = now
        consultation.save(update_fields=["reminded_at"])
        audit.record(
            audit.Action.UPDATE,
            instance=consultation,
            object_repr="书面咨询催办",
            after={"due_date": consultation.due_date, "late": late},
        )
        logger.warning(
            "written consultation %s of %s due %s unanswered",
            consultation.public_id,
            consultation.department.name,
            consultation.due_date,
        )
        count += 1
    return count


_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def masked(text: str) -> str:
    """ID numbers and mobile numbers hidden (for publishing a consultation as an FAQ)."""
    return _PHONE.sub(r"\1****\2", mask_text(text))


def faq_draft(consultation: Consultation) -> dict:
    """A closed consultation's question and the department's answers, masked, as the
    starting point of a 问答库 entry; only with the asker's consent."""
    if consultation.state != S.CLOSED or not consultation.publish_consent:
        raise refuse(
            "consultation",
            "no_consent",
            "只有已结束、且群众同意公开的咨询才能转为标准答案。",
        )
    replies = consultation.messages.filter(sender=ConsultationMessage.Sender.AGENT)
    answer = "\n".join(m.text for m in replies.order_by("pk"))
    if not answer:
        raise refuse("consultation", "no_answer", "这条咨询没有工作人员的答复，无法转为标准答案。")
    return {
        "question": masked(consultation.question)[:300],
        "answer": masked(answer),
        "item": consultation.item.implementation_code if consultation.item_id else "",
        "scope": str(consultation.department_id),
    }


def messages_after(consultation: Consultation, after: int = 0) -> list[ConsultationMessage]:
    return list(consultation.messages.filter(pk__gt=after).order_by("pk")[:200])


def figures(rows) -> dict:
    """Response-time figures of a set of consultations (the staff queue's scope)."""
    wait = F("taken_at") - F("created_at")
    first = F("first_reply_at") - F("created_at")
    data = rows.aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=Q(state=S.WAITING)),
        active=Count("pk", filter=Q(state=S.ACTIVE)),
        closed=Count("pk", filter=Q(state=S.CLOSED)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        satisfied=Count("pk", filter=Q(rating__lte=2)),
        average_wait=Avg(wait),
        average_first_reply=Avg(first),
    )
    for key in ("average_wait", "average_first_reply"):
        value = data[key]
        if value is not None and not isinstance(value, timedelta):
            value = timedelta(microseconds=value)
        data[key] = round(value.total_seconds(), 1) if value is not None else None
    data["satisfaction"] = (
        round(100 * data["satisfied"] / data["rated"], 1) if data["rated"] else None
    )
    return data
