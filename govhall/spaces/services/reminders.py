"""办事温馨提醒: the deadlines a person (or company) must meet, each told once.

The periodic scan (``jobs.send_reminders``) looks for: a licence expiring within
``LICENCE_NOTICE_DAYS``; a correction due within ``CORRECTION_WARNING_DAYS`` working days
(the applicant is given ``CORRECTION_PERIOD_DAYS`` working days from the notice — the
hall's practice, as the case engine records no deadline of its own); a result waiting at
the counter; a concluded case not rated; a draft left for ``DRAFT_IDLE_DAYS`` days. Each
reminder is a row unique on (person, kind, subject), created in the same transaction as
its inbox message, so however often the scan runs each deadline is told exactly once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import AgentGrant, Power
from govhall.cases.models import (
    Application,
    Case,
    CaseState,
    CorrectionNotice,
    Delivery,
)
from govhall.core.services import calendar
from govhall.licences.models import HolderKind, Licence, LicenceState

from ..models import Reminder, ReminderKind
from .delivery import deliver, preference_of

LICENCE_NOTICE_DAYS = 90
CORRECTION_PERIOD_DAYS = getattr(settings, "GOVHALL_CORRECTION_PERIOD_DAYS", 10)
CORRECTION_WARNING_DAYS = 3
RATING_WINDOW_DAYS = 30
RATING_GRACE_DAYS = 3  # the conclusion message itself asks for a rating first
DRAFT_IDLE_DAYS = 7
PAYMENT_WARNING_DAYS = 3


@dataclass
class ScanResult:
    sent: dict[str, int] = field(default_factory=dict)
    skipped: int = 0  # reminders switched off by the person

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def __str__(self) -> str:
        return f"sent {self.total} {self.sent}, skipped {self.skipped}"


def correction_due(notice: CorrectionNotice) -> datetime.date:
    start = timezone.localdate(notice.issued_at)
    return calendar.add_working_days(start, CORRECTION_PERIOD_DAYS).due_date


def _licence_recipients(licence: Licence, on: datetime.date) -> list:
    if licence.holder_kind == HolderKind.PERSON:
        return [licence.person.user] if licence.person_id else []
    if not licence.company_id:
        return []
    users = [licence.company.legal_representative.user]
    for grant in AgentGrant.objects.in_force(on).filter(company_id=licence.company_id):
        if Power.RECEIVE_LICENCES in grant.powers:
            users.append(grant.agent.user)
    return list({u.pk: u for u in users}.values())


def _send(
    result: ScanResult,
    user,
    *,
    kind,
    key,
    company=None,
    due=None,
    title,
    body,
    link,
    case_number="",
):
    """One reminder, exactly once: the unique row and its message commit together."""
    if Reminder.objects.filter(user=user, kind=kind, key=key).exists():
        return
    if not preference_of(user).reminders:
        result.skipped += 1
        return
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                user=user,
                company=company,
                kind=kind,
                key=key,
                due_date=due,
                title=title,
                body=body,
                link=link,
            )
            note, sms = deliver(
                user,
                event=f"reminder:{kind}",
                title=title,
                body=body,
                link=link,
                case_number=case_number,
            )
            reminder.notification, reminder.sms = note, sms
            reminder.save(update_fields=["notification", "sms"])
    except IntegrityError:  # another scan sent it a moment ago
        return
    result.sent[kind] = result.sent.get(kind, 0) + 1


def scan(on: datetime.date | None = None) -> ScanResult:
    on = on or timezone.localdate()
    result = ScanResult()
    _licences(result, on)
    _corrections(result, on)
    _collections(result, on)
    _ratings(result, on)
    _drafts(result, on)
    _payments(result, on)
    return result


def _licences(result: ScanResult, on: datetime.date) -> None:
    horizon = on + datetime.timedelta(days=LICENCE_NOTICE_DAYS)
    rows = Licence.objects.filter(
        state=LicenceState.VALID,
        current__valid_until__gte=on,
        current__valid_until__lte=horizon,
    ).select_related("type", "current", "person__user", "company__legal_representative__user")
    for licence in rows:
        until = licence.current.valid_until
        days = (until - on).days
        for user in _licence_recipients(licence, on):
            _send(
                result,
                user,
                kind=ReminderKind.LICENCE_EXPIRY,
                key=f"licence:{licence.pk}:{until.isoformat()}",
                company=licence.company if licence.holder_kind == HolderKind.COMPANY else None,
                due=until,
                title=f"{licence.type.name}将于{until:%Y年%m月%d日}到期",
                body=(
                    f"您的{licence.type.name}（编号{licence.number}）有效期至"
                    f"{until:%Y年%m月%d日}，还有{days}天。如需继续使用，请及时办理延续。"
                ),
                link=reverse("licences:my-licence", args=[licence.pk]),
            )


def _corrections(result: ScanResult, on: datetime.date) -> None:
    rows = CorrectionNotice.objects.filter(
        corrected_at__isnull=True, case__state=CaseState.AWAITING_CORRECTION
    ).select_related("case__user", "case__company")
    for notice in rows:
        case = notice.case
        if case.user_id is None:
            continue
        due = correction_due(notice)
        left = calendar.remaining_working_days(on, due) if due >= on else 0
        if due < on or left > CORRECTION_WARNING_DAYS:
            continue
        _send(
            result,
            case.user,
            kind=ReminderKind.CORRECTION_DUE,
            key=f"correction:{notice.pk}",
            company=case.company,
            due=due,
            title=f"请于{due:%Y年%m月%d日}前补正材料",
            body=(
                f"您的办件{case.number}（{case.item_name}）需要补正材料，补正期限为"
                f"{due:%Y年%m月%d日}（还剩{left}个工作日）。逾期未补正的，办件将按补交逾期办结。"
            ),
            link=reverse("cases:correction", args=[case.number]),
            case_number=case.number,
        )


def _collections(result: ScanResult, on: datetime.date) -> None:
    rows = Case.objects.filter(
        state=CaseState.CONCLUDED, delivery=Delivery.PICKUP, delivered_at__isnull=True
    ).select_related("user", "company", "department")
    for case in rows:
        if case.user_id is None:
            continue
        _send(
            result,
            case.user,
            kind=ReminderKind.COLLECTION_WAITING,
            key=f"collection:{case.number}",
            company=case.company,
            title=f"{case.result_name or case.item_name}已可领取",
            body=(
                f"您的办件{case.number}（{case.item_name}）已办结，请携带身份证件到"
                f"{case.department.name}窗口领取办理结果。"
            ),
            link=case.get_absolute_url(),
            case_number=case.number,
        )


def _ratings(result: ScanResult, on: datetime.date) -> None:
    now = timezone.now()
    rows = Case.objects.filter(
        state=CaseState.CONCLUDED,
        concluded_at__gte=now - datetime.timedelta(days=RATING_WINDOW_DAYS),
        concluded_at__lte=now - datetime.timedelta(days=RATING_GRACE_DAYS),
        rating__isnull=True,
    ).select_related("user", "company")
    for case in rows:
        if case.user_id is None:
            continue
        _send(
            result,
            case.user,
            kind=ReminderKind.RATING_PENDING,
            key=f"rating:{case.number}",
            company=case.company,
            title="请对本次服务进行评价",
            body=f"您的办件{case.number}（{case.item_name}）已办结，欢迎对本次服务作出评价（好差评）。",
            link=reverse("cases:rate", args=[case.number]),
            case_number=case.number,
        )


def _drafts(result: ScanResult, on: datetime.date) -> None:
    idle = timezone.now() - datetime.timedelta(days=DRAFT_IDLE_DAYS)
    rows = Application.objects.filter(
        state=Application.State.DRAFT, updated_at__lt=idle
    ).select_related("user", "company", "item", "bundle")
    for draft in rows:
        name = draft.item.name if draft.item_id else draft.bundle.name
        _send(
            result,
            draft.user,
            kind=ReminderKind.DRAFT_WAITING,
            key=f"draft:{draft.public_id}:{draft.updated_at:%Y%m%d}",
            company=draft.company,
            title=f"“{name}”的申请还未提交",
            body=f"您于{timezone.localdate(draft.updated_at):%Y年%m月%d日}保存的“{name}”申请草稿尚未提交。",
            link=reverse("cases:application", args=[draft.public_id]),
        )


def _payments(result: ScanResult, on: datetime.date) -> None:
    """A fee still due (待缴费) within ``PAYMENT_WARNING_DAYS`` working days of its
    缴款期限: told once per deadline (a new assessment is a new deadline)."""
    from govhall.payments.models import AssessmentState, FeeAssessment

    rows = FeeAssessment.objects.filter(
        state=AssessmentState.DUE,
        due_date__gte=on,
        case__state=CaseState.AWAITING_PAYMENT,
    ).select_related("case__user", "case__company")
    for assessment in rows:
        case = assessment.case
        left = calendar.remaining_working_days(on, assessment.due_date)
        if case.user_id is None or left > PAYMENT_WARNING_DAYS:
            continue
        due = assessment.due_date
        yuan = f"{assessment.total_fen // 100}.{assessment.total_fen % 100:02d}"
        _send(
            result,
            case.user,
            kind=ReminderKind.PAYMENT_DUE,
            key=f"payment:{assessment.payment_code}:{due.isoformat()}",
            company=case.company,
            due=due,
            title=f"请于{due:%Y年%m月%d日}前缴费",
            body=(
                f"您的办件{case.number}（{case.item_name}）已准予，应缴{yuan}元（缴款码"
                f"{assessment.payment_code}），缴款期限为{due:%Y年%m月%d日}（还剩{left}个工作日）。"
                "缴费后即发放办理结果。"
            ),
            link=reverse("payments:fee", args=[case.number]),
            case_number=case.number,
        )
