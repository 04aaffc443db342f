"""How far back a case's records can lie: the time bound that lets a lookup by case number
(or by record id) read only the monthly partitions that can hold its rows.

Neither ``case_number`` nor ``record_id`` carries the month, so on the partitioned table
(``partitions``) a lookup by either probes every partition's index. A case number of this
hall's format (``govhall.cases.services.numbers``: region, organisation code, application
date ``YYYYMMDD`` at characters 16–23, sequence — 29 characters) carries its application
date, and a record of a case cannot precede its application. So:

* a number bounds its records only when it has that format (29 characters, a year
  1900–2099 and a month at 16–21); records pushed from outside may carry numbers of
  other formats, which bound nothing;
* the bound is generous (``earliest``): midnight in Asia/Shanghai of the first day of the
  month *before* the number's month, so a clock a few weeks off, or a record of the
  evening before the application, still counts; a record dated earlier than that is not
  read back as part of its case by these lookups (nor by the flat table's: the bound is
  the same on both layouts, so they give the same answers);
* a record looked up by id (the exchange's duplicate check) is bounded by the earlier of
  its case's bound and its own ``occurred_at``: a record pushed again carries the same
  ``occurred_at`` and is always found; one sent again with another time is found while
  the first copy lies after its case's bound.

``case_filter`` and ``record_filter`` give the ``Q`` (one arm per bound month, plus one
unbounded arm for numbers of other formats), ``earliest_sql`` the same rule as an SQL
expression for the aggregate queries written in SQL, ``within_case_bound`` the condition
that keeps a scan of many cases (the set-based rebuild) to the same records. Used by the
exchange (duplicate check, the quality checks' case history), the monitoring refresh
(re-reading touched cases, and the rebuild) and the benchmark's counters straight over
the records.

``by_index()`` keeps the case lookups on the case-number index: a monthly partition is
small, so the planner reads a thousand case numbers' estimated rows (five a case) in the
month before theirs as a twelfth of it and scans it whole, where the index finds the
few there are (ninth pass: 35–52 ms a batch of 1,000 against 2–3 ms).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

ZONE = ZoneInfo("Asia/Shanghai")
LENGTH = 29
MONTH_AT = 15  # 0-based start of the number's YYYYMM (its date is YYYYMMDD there)
MONTH = r"^(19|20)[0-9]{2}(0[1-9]|1[0-2])$"  # what the number must hold there
_MONTH = re.compile(MONTH)


def earliest(case_number: str) -> datetime.datetime | None:
    """The earliest moment a record of this case is looked for; None when the number
    does not have this hall's format (29 characters, a year and month at 16–21; only
    what the bound reads is checked, which keeps the check cheap in SQL over millions
    of rows): then its records are looked for at any time."""
    if not isinstance(case_number, str) or len(case_number) != LENGTH:
        return None
    digits = case_number[MONTH_AT : MONTH_AT + 6]
    if not _MONTH.match(digits):
        return None
    year, month = int(digits[:4]), int(digits[4:])
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return datetime.datetime(year, month, 1, tzinfo=ZONE)


def _month_start(moment: datetime.datetime) -> datetime.datetime:
    local = moment.astimezone(ZONE)
    return datetime.datetime(local.year, local.month, 1, tzinfo=ZONE)


ARRAY_TYPES = {"case_number": "text", "record_id": "uuid"}


def _among(column: str, values: list, prefix: str) -> Q:
    """``column`` is one of ``values``. On PostgreSQL as ``= ANY(ARRAY(SELECT unnest(…)))``,
    one array parameter the planner cannot see into: with ``IN (%s, …)`` of a thousand
    values it estimated each value against the statistics of every partition and every
    index it costed (10–20 ms planning a batch's case history on the partitioned table,
    0.4 ms this way), and Django bound a thousand parameters; the value list is read
    once, as an initial plan, and each partition's index is probed with it."""
    if connection.vendor != "postgresql" or prefix:
        return Q(**{f"{prefix}{column}__in": values})
    condition = RawSQL(
        f'"{_table()}"."{column}" = ANY(ARRAY(SELECT unnest(%s::{ARRAY_TYPES[column]}[])))',
        [values],
        output_field=BooleanField(),
    )
    return Q(condition)


def _arms(column: str, by_bound: dict, unbounded: set, prefix: str) -> Q:
    query = Q(pk__in=[])
    for bound, values in sorted(by_bound.items(), key=lambda item: item[0]):
        query |= _among(column, sorted(values), prefix) & Q(**{f"{prefix}occurred_at__gte": bound})
    if unbounded:
        query |= _among(column, sorted(unbounded), prefix)
    return query


def case_filter(case_numbers: Iterable[str], prefix: str = "") -> Q:
    """The records of these cases: ``case_number`` in them, each number's records from
    its ``earliest`` on (grouped by bound month, so the planner prunes partitions)."""
    by_bound: dict[datetime.datetime, set[str]] = defaultdict(set)
    unbounded: set[str] = set()
    for number in set(case_numbers):
        bound = earliest(number)
        if bound is None:
            unbounded.add(number)
        else:
            by_bound[bound].add(number)
    return _arms("case_number", by_bound, unbounded, prefix)


def record_filter(records: Iterable[tuple[object, str, datetime.datetime]]) -> Q:
    """The stored records with these ids, from ``(record_id, case_number, occurred_at)``
    of the records being looked for: each id from the month of the earlier of its case's
    ``earliest`` and its own time on; ids of numbers of other formats anywhere."""
    by_bound: dict[datetime.datetime, set] = defaultdict(set)
    unbounded: set = set()
    for record_id, number, occurred_at in records:
        bound = earliest(number)
        if bound is None:
            unbounded.add(record_id)
        else:
            by_bound[min(bound, _month_start(occurred_at))].add(record_id)
    return _arms("record_id", by_bound, unbounded, "")


def earliest_sql(column: str, vendor: str) -> str:
    """``earliest`` as an SQL expression of a case-number column (``-infinity`` /
    the empty string — before every time — for numbers of other formats)."""
    digits = f"substr({column}, {MONTH_AT + 1}, 6)"
    year, month = f"substr({column}, {MONTH_AT + 1}, 4)", f"substr({column}, {MONTH_AT + 5}, 2)"
    if vendor == "postgresql":
        return (
            f"(CASE WHEN length({column}) = {LENGTH} AND {digits} ~ '{MONTH}' THEN "
            f"(make_date({year}::int, {month}::int, 1) - interval '1 month')::timestamp "
            "AT TIME ZONE 'Asia/Shanghai' ELSE '-infinity'::timestamptz END)"
        )
    if vendor == "sqlite":  # datetimes stored as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'
        return (
            f"(CASE WHEN length({column}) = {LENGTH} AND {digits} REGEXP '{MONTH}' THEN "
            f"datetime({year} || '-' || {month} || '-01', '-1 month', '-8 hours') ELSE '' END)"
        )
    raise ValueError(f"no case-number bound for {vendor}")


@contextmanager
def by_index() -> Iterator[None]:
    """Read a case lookup (``case_filter``) through the indexes, not by scanning a whole
    partition: ``enable_seqscan`` off for the statements inside (PostgreSQL; restored
    after, in the caller's transaction or one of its own). A lookup of a batch's cases is
    selective on either layout, but on a month's partition the estimate of the case
    numbers' rows (``n_distinct``, five records a case) makes a scan look cheaper."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT was, set_config('enable_seqscan', 'off', true) "
            "FROM (SELECT current_setting('enable_seqscan') AS was OFFSET 0) setting"
        )
        (was, _off) = cursor.fetchone()
        yield
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [was])


def within_case_bound() -> Q:
    """Records no earlier than their own case's ``earliest`` (for queries over many cases
    at once, which read the records a case lookup would)."""
    column = f'"{_table()}"."case_number"'
    return Q(occurred_at__gte=RawSQL(earliest_sql(column, connection.vendor), []))


def _table() -> str:
    from ..models import ProcessRecord

    return ProcessRecord._meta.db_table
