"""Opening (开通) and use (使用) of the two pages, counted per city for the indicators.

The first visit opens the page; each month with a visit is a month of use. Both are
one row each (get-or-create on a unique key), so a reload writes nothing new.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import SpaceKind, SpaceOpening, SpaceUse
from .profile import city_of, company_region, person_profile


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def record_visit(identity) -> SpaceOpening | None:
    """Count this visit of the acting identity's page (person or company)."""
    if identity is None or identity.person is None:
        return None
    now = timezone.now()
    if identity.company is not None:
        lookup = {"kind": SpaceKind.COMPANY, "company": identity.company}
        city = city_of(company_region(identity.company))
    else:
        lookup = {"kind": SpaceKind.PERSON, "user": identity.user}
        city = city_of(person_profile(identity.person).region_code)
    opening = SpaceOpening.objects.filter(**lookup).first()
    if opening is None:
        try:
            with transaction.atomic():
                opening = SpaceOpening.objects.create(
                    **{**lookup, "user": identity.user}, city_code=city, opened_at=now
                )
        except IntegrityError:  # another request opened it at the same moment
            opening = SpaceOpening.objects.get(**lookup)
    SpaceUse.objects.get_or_create(opening=opening, month=month_of(timezone.localdate(now)))
    return opening
