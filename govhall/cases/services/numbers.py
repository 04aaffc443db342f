"""Case numbers (办件编号): region + department + date + sequence.

Format (29 characters, all digits except the organisation code)::

    440703 MA4UXXXX1 20261122 000123
    ^^^^^^ ^^^^^^^^^ ^^^^^^^^ ^^^^^^
    region  org code   date    sequence of that department that day

The organisation code is characters 9–17 of the department's credit code (the
GB 11714 code inside it), so numbers stay stable across installations. The sequence
comes from a counter row locked for the increment, so concurrent submissions never
share a number; the unique constraint on ``Case.number`` is the last guard.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F

from govhall.regions.models import Department

from ..models import CaseNumberCounter

SEQUENCE_DIGITS = 6


def next_case_number(department: Department, day: datetime.date) -> str:
    with transaction.atomic():
        counter, _ = CaseNumberCounter.objects.get_or_create(department=department, day=day)
        CaseNumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        sequence = CaseNumberCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
    org_code = department.credit_code[8:17]
    return f"{department.region_id[:6]}{org_code}{day:%Y%m%d}{sequence:0{SEQUENCE_DIGITS}d}"


def bundle_number(case_number: str) -> str:
    """A bundle application is numbered after its lead case, with a ``Y`` (一件事) prefix."""
    return f"Y{case_number}"
