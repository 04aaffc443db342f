"""家庭成员的事项: a person's household members' cases and licences on the person's page.

The member grants it (``HouseholdGrant``), naming the holder by ID number and name; the
grant is checked on every read, so an ended or expired one hides the member at once.
The member's sections are read through the same access functions as the member's own
page (``cases.access.applicant_cases``, ``licences.uses.holder_licences``), acting as
the member themself — never as a company the member acts for.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from govhall.accounts.models import Person
from govhall.accounts.services.acting import Identity
from govhall.accounts.services.registration import clean_id_number
from govhall.cases.models import FINAL_STATES, OPEN_STATES
from govhall.cases.services import access
from govhall.core.errors import refuse
from govhall.core.services import audit

from ..models import HouseholdGrant, HouseholdRelation

MAX_YEARS = 5
CASE_LIMIT = 10


@dataclass
class MemberItems:
    grant: HouseholdGrant
    open_cases: list
    recent_cases: list
    licences: list


def in_force(on: datetime.date | None = None):
    on = on or timezone.localdate()
    return HouseholdGrant.objects.filter(ended_at__isnull=True, valid_until__gte=on)


def given_by(person: Person):
    return in_force().filter(member=person).select_related("holder").order_by("-created_at")


def held_by(person: Person):
    return in_force().filter(holder=person).select_related("member__user").order_by("member__pk")


@transaction.atomic
def grant(
    member: Person, *, id_number: str, name: str, relation: str, valid_until: datetime.date
) -> HouseholdGrant:
    """The member lets the person of this ID number and name see their items."""
    try:
        number = clean_id_number(id_number)
    except ValidationError:
        raise refuse("id_number", "invalid", "请填写正确的18位居民身份证号码。") from None
    if relation not in HouseholdRelation.values:
        raise refuse("relation", "invalid_choice", "请选择您与被授权人的关系。")
    today = timezone.localdate()
    if valid_until is None or valid_until <= today:
        raise refuse("valid_until", "invalid", "授权有效期须晚于今天。")
    if valid_until > today.replace(year=today.year + MAX_YEARS):
        raise refuse("valid_until", "too_long", f"授权有效期最长{MAX_YEARS}年，到期后可重新授权。")
    holder = Person.objects.filter(id_number_index=Person.index_for(number)).first()
    # One message for "no account" and "name does not match": the form must not tell a
    # stranger whether an ID number has an account here.
    if holder is None or holder.name != " ".join((name or "").split()):
        raise refuse(
            "id_number",
            "not_found",
            "没有找到身份证号码与姓名一致的实名账号，请被授权人先注册，并核对姓名。",
        )
    if holder.pk == member.pk:
        raise refuse("id_number", "invalid", "不能授权给本人。")
    try:
        with transaction.atomic():
            created = HouseholdGrant.objects.create(
                member=member, holder=holder, relation=relation, valid_until=valid_until
            )
    except IntegrityError:
        raise refuse(
            "id_number", "already_granted", "您已授权此人，如需变更请先终止原授权。"
        ) from None
    audit.record(
        "create",
        instance=created,
        reason="家庭成员授权",
        after={"holder": holder.pk, "relation": relation, "valid_until": str(valid_until)},
    )
    return created


@transaction.atomic
def end(person: Person, grant_id: int) -> HouseholdGrant:
    """Either side ends a grant: the member withdraws it, the holder declines it."""
    found = (
        HouseholdGrant.objects.select_for_update()
        .filter(Q(member=person) | Q(holder=person), pk=grant_id, ended_at__isnull=True)
        .first()
    )
    if found is None:
        raise refuse("grant", "not_found", "没有找到这项家庭成员授权。")
    found.ended_at = timezone.now()
    found.save(update_fields=["ended_at"])
    audit.record(
        "transition",
        instance=found,
        reason="终止家庭成员授权",
        after={"by": "member" if found.member_id == person.pk else "holder"},
    )
    return found


def member_identity(grant: HouseholdGrant) -> Identity:
    """The member as themself: what their own page would show."""
    return Identity(user=grant.member.user, person=grant.member)


def items_of(holder: Person) -> list[MemberItems]:
    """The cases and licences of every member who has granted ``holder`` a view."""
    from .overview import licence_rows

    rows = []
    for g in held_by(holder):
        member = member_identity(g)
        cases = access.applicant_cases(member).select_related("item")
        rows.append(
            MemberItems(
                grant=g,
                open_cases=list(
                    cases.filter(state__in=OPEN_STATES).order_by("-submitted_at")[:CASE_LIMIT]
                ),
                recent_cases=list(
                    cases.filter(state__in=FINAL_STATES).order_by("-concluded_at", "-pk")[:5]
                ),
                licences=licence_rows(member),
            )
        )
    return rows
