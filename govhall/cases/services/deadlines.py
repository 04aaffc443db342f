"""The periodic scan: move suspended clocks, remind staff, close expired review windows.

Run by ``manage.py scan_deadlines`` (cron or a scheduler, e.g. every 15 minutes and
once after midnight). Idempotent: a step is reminded once, a case concluded once.

Set-based, so a province's backlog (a million open cases) is scanned in seconds: each
selection is one indexed read (partial indexes on open suspensions, unreminded open
tasks and auto-decided cases, see the models); suspended clocks are recomputed a chunk
at a time on one calendar snapshot (``calendar.Batch``) and only changed rows written;
reminders are one ``INSERT … SELECT`` over the due tasks and their post holders.
Conclusions still go one case at a time through ``handling`` (the one conclusion path:
records, audit, notices), and only auto-decided cases past their review window reach it.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from govhall.core.services import bulk, calendar
from govhall.core.services.calendar import Interval
from govhall.regions.models import StaffPost

from ..models import (
    OPEN_STATES,
    Case,
    CaseState,
    CaseStep,
    ClockScan,
    Delivery,
    Notification,
    StepState,
    Suspension,
)
from . import clocks, handling, notifications, transitions

CHUNK = 5000
REMIND_BATCH = 20000
CASE_CLOCK_FIELDS = ("acceptance_due", "statutory_due", "promised_due", "calendar_complete")


@dataclass
class ScanReport:
    recomputed: int = 0
    reminded: int = 0
    concluded: int = 0
    resent: int = 0


def scan(on=None) -> ScanReport:
    on = on or clocks.today()
    report = ScanReport()
    report.recomputed = recompute_suspended(on)
    report.reminded = remind_staff(on)
    report.concluded = conclude_reviewed(on)
    report.resent = notifications.send_pending()
    return report


def clocks_to_recompute() -> list[int]:
    """The ids of the cases whose dates may have moved since they were computed: those
    with an open suspension (their dates move each day it lasts) and open cases computed
    without a year's holiday data (it may have been loaded since), in order.

    The per-case scan this replaced filtered on ``suspensions__ended_on__isnull=True``,
    which Django reads as a LEFT JOIN: it also recomputed every case that never had a
    suspension, concluded ones included — rewriting closed cases' dates and costing a
    read of the whole table every 15 minutes. That reading is dropped; a calendar
    correction still reaches the open cases that lacked the data.

    One ``UNION`` of the two partial indexes (``suspension_open``,
    ``case_calendar_incomplete``), read once: the reads that follow take the list
    (``_among``). As the ``OR`` of the two it was a sequential scan of the case table, and
    each of the three reads evaluated it again.
    """
    suspended = Suspension.objects.filter(ended_on__isnull=True).order_by().values_list("case_id")
    incomplete = Case.objects.filter(calendar_complete=False, state__in=OPEN_STATES)
    selected = suspended.union(incomplete.order_by().values_list("pk"))
    return sorted(pk for (pk,) in selected)


def _among(model, field: str, ids: list[int]) -> RawSQL:
    """The condition ``field IN ids`` with the list as one parameter: a PostgreSQL array
    (``= ANY``, read through the column's index), a JSON array on SQLite (``json_each``),
    so a list of 134,202 ids is neither a statement of as many placeholders nor over
    SQLite's limit of them."""
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"
    if connection.vendor == "postgresql":
        array = f"{Case._meta.pk.db_type(connection)}[]"
        return RawSQL(f"{column} = ANY(%s::{array})", (ids,), output_field=BooleanField())
    return RawSQL(
        f"{column} IN (SELECT value FROM json_each(%s))",
        (json.dumps(ids),),
        output_field=BooleanField(),
    )


def recompute_suspended(on: datetime.date, chunk: int = CHUNK) -> int:
    """Recompute the clocks of the cases ``clocks_to_recompute`` selects; returns how
    many cases were recomputed.

    All are read and computed once, without locks (the selected ids, then the cases, their
    suspensions and open tasks by that list; local days, not timestamps); the new dates of the
    cases whose dates changed are then written a chunk per transaction (``_write``), so
    the scan that finds nothing to move writes nothing. Once a day's recomputation has
    finished (``ClockScan``), the day's later scans skip it while the calendar stays the
    same: nothing can have moved since (returns 0)."""
    stamp = calendar.version()
    if ClockScan.objects.filter(day=on, calendar_version=stamp).exists():
        return 0
    batch = calendar.Batch(on)
    count, changes = _compute(clocks_to_recompute(), on, batch)
    changed = sorted(changes.read)
    for index in range(0, len(changed), chunk):
        with transaction.atomic():
            _write(changes, changed[index : index + chunk], on, batch)
    ClockScan.objects.update_or_create(
        day=on, defaults={"calendar_version": stamp, "finished_at": timezone.now()}
    )
    return count


# What ``clocks.due_dates_from`` reads of a case: the local days of its submission and
# acceptance (``clocks.local_day``: the database converts, the scan loads dates rather than
# timestamps) and its limits.
CASE_INPUTS = [
    clocks.local_day("submitted_at"),
    clocks.local_day("accepted_at"),
    "statutory_limit_days",
    "extension_days",
    "promised_limit_days",
]


@dataclass
class _Changes:
    """What a lock-free pass computed, for the cases whose dates changed: the
    ``updated_at`` each was read with, their clock fields (new where the case's own dates
    moved: ``moved``) and the new due dates of the open tasks that moved."""

    read: dict = field(default_factory=dict)  # case id -> updated_at as read
    cases: dict = field(default_factory=dict)  # case id -> CASE_CLOCK_FIELDS values
    moved: set = field(default_factory=set)  # case ids whose own dates moved
    steps: dict = field(default_factory=lambda: defaultdict(list))  # case id -> [(id, due)]


def _write(changes: _Changes, ids: list[int], on: datetime.date, batch: calendar.Batch) -> int:
    """Write what ``changes`` computed for the cases ``ids``, in the caller's transaction;
    returns how many had to be computed again.

    A case is written as computed only if it is still as it was read: every action that
    touches a clock's inputs — the case, its suspensions, its tasks — locks and saves the
    case, which moves ``updated_at``. The check is the case's own ``UPDATE`` (``updated_at``
    still as read; PostgreSQL waits for a concurrent writer and checks its version), which
    locks the row it writes, so the tasks of the cases it wrote are written after it; a
    separate ``SELECT … FOR UPDATE`` of the chunk first cost a second pass over the same
    rows. A case saved since is locked, read and computed again (the rare case), so a
    concurrent change is kept and its dates are right. (A case whose tasks alone moved is
    written with its own dates and ``updated_at``: the lock, nothing changed.)"""
    now = timezone.now()
    read, cases, moved = changes.read, changes.cases, changes.moved
    rows = [(pk, *cases[pk], now if pk in moved else read[pk], read[pk]) for pk in ids]
    fields = [*CASE_CLOCK_FIELDS, "updated_at"]
    fresh = bulk.update_rows_unchanged(Case, fields, rows, expect="updated_at")
    steps = changes.steps
    bulk.update_rows(
        CaseStep, ["due_date"], [row for pk in sorted(fresh) for row in steps.get(pk, ())]
    )
    stale = sorted(set(ids) - fresh)
    if stale:
        _compute(stale, on, batch, write=True)
    return len(stale)


def _compute(ids: list[int], on: datetime.date, batch: calendar.Batch, write: bool = False):
    """Due dates of the cases ``ids`` and their open tasks; returns (cases read,
    ``_Changes``), and with ``write`` locks the cases (in the caller's transaction) and
    writes the changed dates."""
    cases = Case.objects.filter(_among(Case, "id", ids))
    if write:
        cases = cases.select_for_update().order_by("pk")
    rows = list(cases.values_list("pk", "updated_at", *CASE_INPUTS, *CASE_CLOCK_FIELDS))
    intervals = defaultdict(list)
    suspensions = Suspension.objects.filter(_among(Suspension, "case", ids))
    suspensions = suspensions.order_by("case_id", "started_on", "pk")
    for case_id, started_on, ended_on in suspensions.values_list(
        "case_id", "started_on", "ended_on"
    ):
        intervals[case_id].append(Interval(started_on, ended_on or max(on, started_on)))
    changes = _Changes()
    read, add, clock_fields, due_dates = {}, batch.add, CASE_CLOCK_FIELDS, clocks.due_dates_from
    for row in rows:
        pk, updated_at, current = row[0], row[1], row[7:]
        read[pk] = updated_at, current
        submitted_on, accepted_on, statutory, extension, promised = row[2:7]
        new = due_dates(
            submitted_on, accepted_on, statutory, extension, promised, intervals[pk], add
        )
        computed = tuple(
            new.get(name, old) for name, old in zip(clock_fields, current, strict=True)
        )
        if computed != current:
            changes.read[pk], changes.cases[pk] = updated_at, computed
            changes.moved.add(pk)
    steps = CaseStep.objects.filter(_among(CaseStep, "case", ids), state=StepState.OPEN)
    steps = steps.order_by()
    step_due = clocks.step_due_date_from
    for pk, case_id, started_on, limit, due_date in steps.values_list(
        "pk", "case_id", clocks.local_day("started_at"), "time_limit_days", "due_date"
    ):
        due = step_due(started_on, limit, intervals[case_id], add)
        if due_date != due and case_id in read:  # (a case gone since the selection: skip)
            if case_id not in changes.read:  # its own dates as they are
                changes.read[case_id], changes.cases[case_id] = read[case_id]
            changes.steps[case_id].append((pk, due))
    if write:
        now = timezone.now()
        fields = [*CASE_CLOCK_FIELDS, "updated_at"]
        moved = [(pk, *changes.cases[pk], now) for pk in changes.moved]
        bulk.update_rows(Case, fields, moved)
        bulk.update_rows(
            CaseStep, ["due_date"], [r for rows in changes.steps.values() for r in rows]
        )
    return len(rows), changes


def due_tasks(on: datetime.date):
    """Open tasks not yet reminded and due within the lead time
    (GOVHALL_REMINDER_WORKING_DAYS) or overdue, outside special procedures."""
    horizon = calendar.add_working_days(on, settings.GOVHALL_REMINDER_WORKING_DAYS).due_date
    return CaseStep.objects.filter(
        state=StepState.OPEN, reminded_at__isnull=True, due_date__lte=horizon
    ).exclude(case_state=CaseState.SUSPENDED)


def remind_staff(on) -> int:
    """A message to every holder of the post, once per step, when it is due within the lead
    time or overdue; returns the number of steps reminded.

    One statement marks the tasks and writes the messages (PostgreSQL: an ``UPDATE …
    RETURNING`` feeding the ``INSERT``, so a task is never marked without its messages);
    elsewhere the ``INSERT … SELECT`` and the ``UPDATE`` of the same selection run in one
    transaction, which on SQLite holds the write lock from the first statement on.

    On PostgreSQL the statement takes the due tasks ``REMIND_BATCH`` at a time in due-date
    order, each batch from the last one's latest date on: with a ``LIMIT`` the planner
    reads the partial index of unreminded tasks, which holds exactly the selection. Without
    it the planner, whose statistics cannot tell that the unreminded tasks are the ones not
    yet due, read the whole task table on every run (1,585,627 rows at 1,000,000 cases)
    to find none.
    """
    tasks = due_tasks(on)
    now = timezone.now()
    step = CaseStep._meta.db_table
    where_sql, where_params = _where(tasks)
    post = StaffPost._meta.db_table
    note = Notification._meta.db_table
    columns = "user_id, case_number, event, title, body, link, created_at, send_error"
    due = 'to_char(t.due_date, \'YYYY"年"MM"月"DD"日"\')'
    if connection.vendor != "postgresql":
        due = "strftime('%%Y年%%m月%%d日', t.due_date)"
    overdue = "t.due_date < %s"
    message = (
        f"SELECT sp.user_id, t.case_number, "
        f"CASE WHEN {overdue} THEN 'overdue' ELSE 'due_soon' END, "
        f"CASE WHEN {overdue} THEN '办件已超期' ELSE '办件即将到期' END, "
        f"t.case_number || '（' || t.item_name || '）的“' || t.name || '”环节' || "
        f"CASE WHEN {overdue} THEN '已于' ELSE '将于' END || {due} || '到期。', "
        f"'/workbench/cases/' || t.case_number || '/', %s, '' "
        f"FROM {{tasks}} t JOIN {post} sp ON sp.department_id = t.department_id "
        f"AND sp.post = t.post AND sp.is_active"
    )
    message_params = [on, on, on, now]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            reminded, since = 0, datetime.date.min
            while True:
                cursor.execute(
                    f"WITH t AS (UPDATE {step} SET reminded_at = %s WHERE id IN "
                    f"(SELECT id FROM {step} WHERE {where_sql} AND due_date >= %s "
                    f"ORDER BY due_date LIMIT %s FOR UPDATE SKIP LOCKED) "
                    f"RETURNING case_number, item_name, name, due_date, department_id, post), "
                    f"sent AS (INSERT INTO {note} ({columns}) {message.format(tasks='t')}) "
                    f"SELECT count(*), max(due_date) FROM t",
                    [now, *where_params, since, REMIND_BATCH, *message_params],
                )
                count, latest = cursor.fetchone()
                reminded += count
                if count < REMIND_BATCH:
                    return reminded
                since = latest
        cursor.execute(
            f"INSERT INTO {note} ({columns}) "
            + message.format(tasks=f"(SELECT * FROM {step} WHERE {where_sql})"),
            [*message_params, *where_params],
        )
        return tasks.update(reminded_at=now)


def _where(queryset) -> tuple[str, list]:
    """The WHERE clause Django writes for ``queryset`` (one table, no joins)."""
    sql, params = queryset.order_by().values("id").query.sql_with_params()
    return sql.split(" WHERE ", 1)[1], list(params)


def conclude_reviewed(on: datetime.date) -> int:
    """Conclude auto-decided cases whose review window has passed with no request."""
    count = 0
    due = Case.objects.filter(
        state=CaseState.DECIDED, auto_decided=True, review_deadline__lt=on
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            case = transitions.lock(pk)
            if case.state == CaseState.DECIDED:
                handling._conclude(case, None, delivery=Delivery.ELECTRONIC)
                count += 1
    return count
