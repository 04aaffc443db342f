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

from django.db import connection

from govhall.regions.models import Department

from ..models import CaseNumberCounter

SEQUENCE_DIGITS = 6


def next_case_number(department: Department, day: datetime.date) -> str:
    """One statement: insert the day's counter or bump it, and read the new value back.

    ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35) takes the
    row lock and increments in one round trip; the lock is held to the end of the
    caller's transaction, so two submissions cannot read the same value.
    """
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (department_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (department_id, day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [department.pk, day],
        )
        (sequence,) = cursor.fetchone()
    org_code = department.credit_code[8:17]
    return f"{department.region_id[:6]}{org_code}{day:%Y%m%d}{sequence:0{SEQUENCE_DIGITS}d}"


def bundle_number(case_number: str) -> str:
    """A bundle application is numbered after its lead case, with a ``Y`` (一件事) prefix."""
    return f"Y{case_number}"
