"""Everything of one person's (or one company's) relationship with the hall, on one page.

Each section reads through the subsystem's own access function (``cases.access``,
``licences.uses``, the locker), so the page shows exactly what the acting identity may
see elsewhere: a person sees their own, an agent the company's within the powers the
company granted (查看办件 for its cases, 领取证照 for its licences).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import AgentGrant, Power
from govhall.cases.models import (
    FINAL_STATES,
    OPEN_STATES,
    Application,
    Case,
    CaseState,
    Delivery,
    Notification,
    Rating,
)
from govhall.cases.services import access, actions, applications, timeline
from govhall.licences.models import Licence, LicenceState
from govhall.licences.services import uses as licence_uses

from ..models import Push, Reminder, SpaceKind
from . import household, lifecycle, push
from .profile import person_profile

OPEN_LIMIT = 20
RECENT_LIMIT = 5
LIST_LIMIT = 10
EXPIRY_WARNING_DAYS = 90
# What the applicant must do, by the applicant action of the case engine's registry.
TODO = {
    "submit_correction": ("补正材料", "cases:correction"),
    "rate": ("评价本次服务", "cases:rate"),
    "request_review": ("申请人工复核", "cases:review"),
}


@dataclass
class CaseCard:
    case: Case
    timeline: timeline.Timeline
    todo: list[tuple[str, str]] = field(default_factory=list)
    licence: Licence | None = None
    next_services: list = field(default_factory=list)

    @property
    def current(self):
        return self.timeline.current

    @property
    def next(self):
        return self.timeline.next


@dataclass
class LicenceRow:
    licence: Licence
    valid_until: datetime.date | None
    days_left: int | None

    @property
    def expiring(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= EXPIRY_WARNING_DAYS


@dataclass
class Space:
    kind: str
    identity: object
    title: str
    open_cases: list[CaseCard]
    recent_cases: list[CaseCard]
    licences: list[LicenceRow]
    materials: list
    drafts: list
    messages: list
    unread: int
    reminders: list
    pushes: list
    agents: list = field(default_factory=list)
    profile: object = None
    can_view_cases: bool = True
    can_receive_licences: bool = True
    age: int | None = None
    household: list = field(default_factory=list)
    consultations: list = field(default_factory=list)
    complaints: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    stages: list = field(default_factory=list)


def _todo(identity, case: Case) -> list[tuple[str, str]]:
    rows = []
    for offer in actions.offered(case, identity, kind=actions.APPLICANT):
        if offer.action.name in TODO:
            label, url_name = TODO[offer.action.name]
            rows.append((label, reverse(url_name, args=[case.number])))
    if case.state == CaseState.AWAITING_PAYMENT and access.applicant_can_act(identity, case):
        rows.append(("缴费", reverse("payments:fee", args=[case.number])))
    if (
        case.state == CaseState.CONCLUDED
        and case.delivery == Delivery.PICKUP
        and case.delivered_at is None
    ):
        rows.append(("到窗口领取办理结果", case.get_absolute_url()))
    return rows


def case_card(identity, case: Case) -> CaseCard:
    card = CaseCard(case, timeline.build(case), _todo(identity, case))
    if case.state == CaseState.CONCLUDED:
        card.licence = Licence.objects.filter(case=case).select_related("type", "current").first()
        card.next_services = push.next_services(case)
    return card


def licence_rows(identity, on: datetime.date | None = None) -> list[LicenceRow]:
    on = on or timezone.localdate()
    rows = []
    for licence in licence_uses.holder_licences(identity).order_by("state", "-created_at")[:50]:
        until = licence.current.valid_until if licence.current else None
        days = (until - on).days if until and licence.state == LicenceState.VALID else None
        rows.append(LicenceRow(licence, until, days))
    return rows


def _messages(identity, cases):
    rows = Notification.objects.filter(user=identity.user)
    if identity.company is not None:
        rows = rows.filter(case_number__in=cases.values("number"))
    return rows


def build(identity) -> Space:
    """The page of the acting identity: the company's when acting for one."""
    company = identity.company
    cases = access.applicant_cases(identity).select_related("department", "item_version", "item")
    open_cases = [
        case_card(identity, c)
        for c in cases.filter(state__in=OPEN_STATES).order_by("-submitted_at")[:OPEN_LIMIT]
    ]
    recent = [
        case_card(identity, c)
        for c in cases.filter(state__in=FINAL_STATES).order_by("-concluded_at", "-pk")[
            :RECENT_LIMIT
        ]
    ]
    drafts = Application.objects.filter(
        user=identity.user, state=Application.State.DRAFT
    ).select_related("item", "bundle")
    drafts = drafts.filter(company=company) if company else drafts.filter(company__isnull=True)
    messages = _messages(identity, cases)
    own = Q(company=company) if company else Q(company__isnull=True)
    space = Space(
        kind=SpaceKind.COMPANY if company else SpaceKind.PERSON,
        identity=identity,
        title=company.name if company else identity.person.name,
        open_cases=open_cases,
        recent_cases=recent,
        licences=licence_rows(identity),
        materials=list(applications.locker_of(identity)[:LIST_LIMIT]),
        drafts=list(drafts.order_by("-updated_at")[:LIST_LIMIT]),
        messages=list(messages.order_by("-created_at", "-pk")[:LIST_LIMIT]),
        unread=messages.filter(read_at__isnull=True).count(),
        reminders=list(
            Reminder.objects.filter(own, user=identity.user).order_by("-created_at")[:LIST_LIMIT]
        ),
        pushes=list(
            Push.objects.filter(own, user=identity.user).order_by("-created_at")[:LIST_LIMIT]
        ),
        can_view_cases=identity.can(Power.VIEW_CASES),
        can_receive_licences=identity.can(Power.RECEIVE_LICENCES),
    )
    if company is not None:
        space.agents = list(
            AgentGrant.objects.in_force().filter(company=company).select_related("agent")
        )
        space.profile = getattr(company, "space_profile", None)
        space.stages = lifecycle.stages(company, cases)
    else:
        space.age = person_profile(identity.person).age
        space.household = household.items_of(identity.person)
        space.consultations, space.complaints = _consultations_and_complaints(identity.user)
    space.ratings = list(
        Rating.objects.filter(case__in=cases, user=identity.user)
        .select_related("case")
        .order_by("-created_at")[:LIST_LIMIT]
    )
    return space


def _consultations_and_complaints(user) -> tuple[list, list]:
    """The person's own 在线咨询 and 投诉 (a company's are filed by a person, in their name)."""
    from govhall.assistant.models import Consultation
    from govhall.supervision.models import Complaint

    consultations = (
        Consultation.objects.filter(user=user)
        .select_related("department")
        .order_by("-created_at")[:LIST_LIMIT]
    )
    complaints = (
        Complaint.objects.filter(user=user)
        .select_related("department")
        .order_by("-received_at", "-pk")[:LIST_LIMIT]
    )
    return list(consultations), list(complaints)
