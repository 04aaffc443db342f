"""What the platform knows of a person or company, for the pages, pushes and indicators.

A person's age and home city come from the ID number (GB 11643: digits 7–14 the birth
date, 1–6 the issuing county); a company's city from its profile or, failing that, from
the registering authority's division code inside the credit code (GB 32100 digits 3–8).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class PersonProfile:
    age: int | None
    region_code: str  # the six-digit county code, "" when unknown


def person_profile(person, on: datetime.date | None = None) -> PersonProfile:
    number = (person.id_number or "").strip().upper() if person else ""
    if len(number) != 18:
        return PersonProfile(None, "")
    on = on or timezone.localdate()
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return PersonProfile(None, number[:6])
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return PersonProfile(age, number[:6])


def company_region(company) -> str:
    profile = getattr(company, "space_profile", None) if company else None
    if profile is not None and profile.region_code:
        return profile.region_code
    code = (company.credit_code or "") if company else ""
    return code[2:8] if len(code) == 18 and code[2:8].isdigit() else ""


def city_of(region_code: str) -> str:
    """The city (地级市) a region code belongs to: its first four digits + 00."""
    if len(region_code) < 4 or not region_code[:4].isdigit():
        return ""
    return region_code[:4] + "00"
