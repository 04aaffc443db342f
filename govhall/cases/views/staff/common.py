"""The scoped case lookup of the staff case desk and the counter."""

from __future__ import annotations

import re

from django.http import Http404
from django.urls import reverse

from govhall.cases.models import Case
from govhall.cases.services import access

CASE_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{1,40}$")


def scoped_case(user, number: str) -> Case:
    """The case if this user may read it; otherwise 404, so a number outside the user's
    reach reveals nothing (not even that it exists)."""
    if not CASE_NUMBER_RE.match(number or ""):
        raise Http404
    case = (
        access.staff_cases(user)
        .select_related(
            "department__region",
            "accepting_department",
            "region",
            "item_version",
            "person",
            "company",
            "application",
        )
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404
    return case


def staff_case_url(user, number: str) -> str:
    """The case page if this user may read the case, else "" (registered with
    ``records.sources`` so that monitoring's record pages link here)."""
    if access.staff_cases(user).filter(number=number).exists():
        return reverse("workbench:case", args=[number])
    return ""
