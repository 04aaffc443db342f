"""Real-name levels (实名等级): raise a person's level online or at a counter; ask if a
person meets the level an item requires.

Levels only go up here. Every attempt, passed or not, leaves a ``RealNameVerification``
as evidence (source reference, or clerk, department and time for counter checks).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govhall.core import context
from govhall.regions.models import Department, Post
from govhall.regions.services.scope import scope_of

from .. import verifiers
from ..models import Person, RealNameLevel, RealNameVerification

MAX_FAILED_ONLINE_PER_DAY = 5
# Posts whose holders may check an ID card at a counter.
COUNTER_POSTS = frozenset({Post.CLERK, Post.HALL_ADMIN})
DOCUMENT_TYPES = ("居民身份证", "临时居民身份证")


def person_of(user_or_person) -> Person | None:
    if isinstance(user_or_person, Person):
        return user_or_person
    if user_or_person is None or not getattr(user_or_person, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user_or_person).first()


def meets(user_or_person, minimum: int) -> bool:
    """True when the person's real-name level is at least ``minimum`` (an item's
    requirement). Accounts without a person (staff) never meet a level."""
    person = person_of(user_or_person)
    return person is not None and person.realname_level >= int(minimum)


def level_label(level: int) -> str:
    return str(RealNameLevel(level).label)


def _raise_level(person: Person, level: int, now: datetime.datetime) -> None:
    if person.realname_level < level:
        person.realname_level = level
        person.realname_verified_at = now
        person.save(update_fields=["realname_level", "realname_verified_at"])


def verify_online(person: Person, *, now: datetime.datetime | None = None) -> RealNameVerification:
    """Ask the configured trusted source whether the person's ID number and name match."""
    now = now or timezone.now()
    if person.realname_level >= RealNameLevel.ONLINE_VERIFIED:
        raise ValidationError(
            ValidationError(_("您的账号已达到或高于在线核验等级，无需重复核验。"), code="already")
        )
    failed_today = RealNameVerification.objects.filter(
        person=person,
        method=RealNameVerification.Method.ONLINE,
        result=RealNameVerification.Result.FAILED,
        occurred_at__gte=now - datetime.timedelta(days=1),
    ).count()
    if failed_today >= MAX_FAILED_ONLINE_PER_DAY:
        raise ValidationError(
            ValidationError(
                _(
                    "24小时内在线核验未通过已达%(limit)s次，"
                    "请明天再试或携带身份证到任一政务服务窗口核验。"
                )
                % {"limit": MAX_FAILED_ONLINE_PER_DAY},
                code="too_many",
            )
        )
    outcome = verifiers.get_verifier().verify_person(person.id_number, person.name)
    with transaction.atomic(), context.acting(reason="在线实名核验"):
        record = RealNameVerification.objects.create(
            person=person,
            level=RealNameLevel.ONLINE_VERIFIED,
            method=RealNameVerification.Method.ONLINE,
            result=outcome.result,
            source=outcome.source[:100],
            reference=outcome.reference[:100],
            note=outcome.message[:200],
            occurred_at=now,
        )
        if outcome.passed:
            _raise_level(person, RealNameLevel.ONLINE_VERIFIED, now)
    return record


def verify_at_counter(
    *,
    person: Person,
    clerk,
    department: Department,
    id_number_read: str,
    name_read: str,
    document_type: str = "居民身份证",
    note: str = "",
    now: datetime.datetime | None = None,
) -> RealNameVerification:
    """A clerk checked the person's ID card at a counter: record who, where and when, and
    raise the person to level 3. The number and name read from the card must match."""
    from .registration import clean_id_number, clean_name

    now = now or timezone.now()
    scope = scope_of(clerk)
    if not any(
        held.post in COUNTER_POSTS and held.department_id == department.pk for held in scope.posts
    ):
        raise ValidationError(
            ValidationError(
                _("只有在本部门担任窗口受理或大厅管理岗位的工作人员才能进行窗口实名核验。"),
                code="not_clerk",
            )
        )
    if document_type not in DOCUMENT_TYPES:
        raise ValidationError(
            {"document_type": ValidationError(_("请选择查验的证件类型。"), code="invalid")}
        )
    read_number = clean_id_number(id_number_read, "id_number_read")
    read_name = clean_name(name_read, "name_read")
    if read_number != person.id_number:
        raise ValidationError(
            {
                "id_number_read": ValidationError(
                    _("证件上的身份证号码与账号登记的号码不一致，不能核验。"), code="mismatch"
                )
            }
        )
    if read_name != person.name:
        raise ValidationError(
            {
                "name_read": ValidationError(
                    _("证件上的姓名与账号登记的姓名不一致，不能核验。"), code="mismatch"
                )
            }
        )
    with transaction.atomic(), context.acting(reason="窗口实名核验"):
        record = RealNameVerification.objects.create(
            person=person,
            level=RealNameLevel.IN_PERSON,
            method=RealNameVerification.Method.COUNTER,
            result=RealNameVerification.Result.PASSED,
            source=department.name[:100],
            clerk=clerk,
            department=department,
            document_type=document_type,
            note=note[:200],
            occurred_at=now,
        )
        _raise_level(person, RealNameLevel.IN_PERSON, now)
    return record
