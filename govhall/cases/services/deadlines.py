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
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from govhall.core.services import bulk, calendar
from govhall.core.services.calendar import Interval
from govhall.regions.models import StaffPost

from ..models import (
    OPEN_STATES,
    Case,
    CaseState,
    CaseStep,
    Delivery,
    Notification,
    StepState,
    Suspension,
)
from . import clocks, handling, notifications, transitions

CHUNK = 5000
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


def clocks_to_recompute() -> Q:
    """Cases whose dates may have moved since they were computed: those with an open
    suspension (their dates move each day it lasts) and open cases computed without a
    year's holiday data (it may have been loaded since).

    The per-case scan this replaced filtered on ``suspensions__ended_on__isnull=True``,
    which Django reads as a LEFT JOIN: it also recomputed every case that never had a
    suspension, concluded ones included — rewriting closed cases' dates and costing a
    read of the whole table every 15 minutes. That reading is dropped; a calendar
    correction still reaches the open cases that lacked the data.
    """
    suspended = Suspension.objects.filter(ended_on__isnull=True).order_by().values("case_id")
    return Q(pk__in=suspended) | Q(calendar_complete=False, state__in=OPEN_STATES)


def recompute_suspended(on: datetime.date, chunk: int = CHUNK) -> int:
    """Recompute the clocks of the cases ``clocks_to_recompute`` selects; returns how
    many cases were recomputed.

    All are read and computed without locks (three queries); only the cases whose dates
    changed are then locked, read again and written, a chunk per transaction, so the
    scan that finds nothing to move (most of the day's 96) writes nothing."""
    batch = calendar.Batch(on)
    selected = Case.objects.filter(clocks_to_recompute())
    count, changed = _compute(selected, on, batch)
    changed = sorted(changed)
    for index in range(0, len(changed), chunk):
        with transaction.atomic():
            ids = changed[index : index + chunk]
            # Locked in id order (as the per-case services lock one row), so no deadlock.
            locked = Case.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            _compute(locked, on, batch, write=True)
    return count


CASE_INPUTS = ["submitted_at", "accepted_at", "statutory_limit_days", "extension_days"]
CASE_INPUTS += ["promised_limit_days"]


def _compute(cases, on: datetime.date, batch: calendar.Batch, write: bool = False):
    """Due dates of ``cases`` and their open tasks; returns (cases read, ids of the cases
    whose dates changed), and with ``write`` writes the changed dates."""
    rows = list(cases.values_list("pk", *CASE_INPUTS, *CASE_CLOCK_FIELDS))
    ids = cases.values("pk")
    if write:
        ids = [row[0] for row in rows]
    intervals = defaultdict(list)
    suspensions = Suspension.objects.filter(case_id__in=ids).order_by("case_id", "started_on", "pk")
    for case_id, started_on, ended_on in suspensions.values_list(
        "case_id", "started_on", "ended_on"
    ):
        intervals[case_id].append(Interval(started_on, ended_on or max(on, started_on)))
    changed, changed_cases, changed_steps = set(), [], []
    for pk, *values in rows:
        case = _Row(dict(zip([*CASE_INPUTS, *CASE_CLOCK_FIELDS], values, strict=True)))
        new = clocks.due_dates(case, intervals[pk], batch.add)
        if any(getattr(case, name) != value for name, value in new.items()):
            changed.add(pk)
            fields = {name: new.get(name, getattr(case, name)) for name in CASE_CLOCK_FIELDS}
            changed_cases.append((pk, *fields.values()))
    steps = CaseStep.objects.filter(case_id__in=ids, state=StepState.OPEN).order_by()
    zone = timezone.get_current_timezone()
    for pk, case_id, started_at, limit, due_date in steps.values_list(
        "pk", "case_id", "started_at", "time_limit_days", "due_date"
    ):
        step = _Row({"started_at": started_at, "time_limit_days": limit})
        due = clocks.step_due_date(step, intervals[case_id], batch.add, zone)
        if due_date != due:
            changed.add(case_id)
            changed_steps.append((pk, due))
    if write:
        now = timezone.now()
        fields = [*CASE_CLOCK_FIELDS, "updated_at"]
        bulk.update_rows(Case, fields, [(*row, now) for row in changed_cases])
        bulk.update_rows(CaseStep, ["due_date"], changed_steps)
    return len(rows), changed


class _Row:
    def __init__(self, values: dict):
        self.__dict__.update(values)


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
            cursor.execute(
                f"WITH t AS (UPDATE {step} SET reminded_at = %s WHERE id IN "
                f"(SELECT id FROM {step} WHERE {where_sql} FOR UPDATE SKIP LOCKED) "
                f"RETURNING case_number, item_name, name, due_date, department_id, post), "
                f"sent AS (INSERT INTO {note} ({columns}) {message.format(tasks='t')}) "
                f"SELECT count(*) FROM t",
                [now, *where_params, *message_params],
            )
            return cursor.fetchone()[0]
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
