"""The set-based deadline scan leaves exactly what the per-case scan it replaced left.

``per_case_scan`` below is that earlier scan, kept as the reference: one locked
``clocks.recompute`` per case with an open suspension, and one query, message batch and
update per task to remind. Both run on the same generated cases (rolled back in between)
and the resulting due dates, reminders, messages and conclusions are compared.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from govhall.core.models import CalendarYear
from govhall.core.services import calendar
from govhall.regions.models import Post, StaffPost

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
from ..services import clocks, deadlines, handling, transitions
from . import factories as f


def per_case_scan(on):
    # The earlier selection, ``suspensions__ended_on__isnull=True``, also matched every case
    # without any suspension (a LEFT JOIN); the scan now selects what it meant.
    selected = Case.objects.filter(
        Q(suspensions__ended_on__isnull=True, suspensions__isnull=False)
        | Q(calendar_complete=False, state__in=OPEN_STATES)
    )
    for case in selected.distinct():
        with transaction.atomic():
            case = transitions.lock(case)
            clocks.recompute(case, on)
            case.save(update_fields=[*deadlines.CASE_CLOCK_FIELDS, "updated_at"])
    from django.conf import settings

    horizon = calendar.add_working_days(on, settings.GOVHALL_REMINDER_WORKING_DAYS).due_date
    steps = CaseStep.objects.filter(
        state=StepState.OPEN, reminded_at__isnull=True, due_date__lte=horizon
    ).exclude(case_state=CaseState.SUSPENDED)
    for step in steps.iterator():
        users = StaffPost.objects.filter(
            department_id=step.department_id, post=step.post, is_active=True
        ).values_list("user_id", flat=True)
        overdue = step.due_date < on
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=user_id,
                    case_number=step.case_number,
                    event="overdue" if overdue else "due_soon",
                    title="办件已超期" if overdue else "办件即将到期",
                    body=f"{step.case_number}（{step.item_name}）的“{step.name}”环节"
                    f"{'已于' if overdue else '将于'}{step.due_date:%Y年%m月%d日}到期。",
                    link=f"/workbench/cases/{step.case_number}/",
                )
                for user_id in users
            ]
        )
        CaseStep.objects.filter(pk=step.pk).update(reminded_at=timezone.now())
    for case in Case.objects.filter(
        state=CaseState.DECIDED, auto_decided=True, review_deadline__lt=on
    ):
        with transaction.atomic():
            case = transitions.lock(case)
            if case.state == CaseState.DECIDED:
                handling._conclude(case, None, delivery=Delivery.ELECTRONIC)


def outcome():
    """Everything the scan may change, without ids and moments of writing."""
    clocks_of_cases = sorted(
        Case.objects.values_list("pk", "state", *deadlines.CASE_CLOCK_FIELDS, "conclusion_code")
    )
    steps = sorted(CaseStep.objects.values_list("pk", "state", "due_date", "reminded_at"))
    steps = [(pk, state, due, reminded is not None) for pk, state, due, reminded in steps]
    notes = sorted(
        Notification.objects.values_list("user_id", "case_number", "event", "title", "body", "link")
    )
    return clocks_of_cases, steps, notes


def run(scan, on):
    with transaction.atomic():
        scan(on)
        result = outcome()
        transaction.set_rollback(True)
    return result


@pytest.fixture
def generated(transactional_reference_data):
    """Generated cases (open ones in every state, open suspensions among them) in two
    departments, two holders of each post, and a few auto-decided cases whose review
    window is over. Committed (the generator writes from its own connection on
    PostgreSQL), so the fixture cleans up by the flush at the end."""
    departments = [f.department("江门市民政局"), f.dept_like("公安", "440700")]
    for dept in departments:
        f.item(dept)
        for post in (Post.CLERK, Post.REVIEWER, Post.APPROVER):
            f.staff(post, dept)
            f.staff(post, dept)
    call_command("generate_cases", count=600, pool=20, open_share=0.6, stdout=StringIO())
    decided = Case.objects.filter(state=CaseState.DECIDED).order_by("pk")[:4]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Case.objects.filter(pk__in=[c.pk for c in decided]).update(
        auto_decided=True, review_deadline=yesterday
    )
    # dates computed without a year's holiday data (open and concluded): the scan redoes
    # the open ones only
    for state in (CaseState.IN_PROGRESS, CaseState.SUBMITTED, CaseState.CONCLUDED):
        pks = Case.objects.filter(state=state).values_list("pk", flat=True)[:3]
        Case.objects.filter(pk__in=list(pks)).update(calendar_complete=False)
    assert Suspension.objects.filter(ended_on__isnull=True).count() > 20


@pytest.mark.parametrize("days_later", [0, 9, 40])
def test_the_set_based_scan_leaves_what_the_per_case_scan_left(generated, days_later):
    on = timezone.localdate() + datetime.timedelta(days=days_later)
    before = outcome()
    expected = run(per_case_scan, on)
    got = run(deadlines.scan, on)
    assert got == expected
    # the comparison is not vacuous: dates moved, tasks were reminded, messages written
    assert got[1] != before[1] and len(got[2]) > 100
    if days_later:
        assert got[0] != before[0]


def test_reminders_taken_a_few_at_a_time_leave_the_same(generated, monkeypatch):
    """PostgreSQL reminds ``REMIND_BATCH`` tasks a statement, each batch from the last
    one's latest due date on: batches of 7 (many sharing a due date) remind every due
    task once, as the per-case scan did."""
    on = timezone.localdate() + datetime.timedelta(days=9)
    expected = run(per_case_scan, on)
    monkeypatch.setattr(deadlines, "REMIND_BATCH", 7)
    got = run(deadlines.scan, on)
    assert got == expected
    assert sum(reminded for *_, reminded in got[1]) > 7 * 3  # several full batches


def test_the_scan_counts_and_is_idempotent(generated):
    on = timezone.localdate() + datetime.timedelta(days=9)
    suspended = Suspension.objects.filter(ended_on__isnull=True).values("case").distinct().count()
    first = deadlines.scan(on)
    assert first.recomputed == suspended + 6  # and the six open cases lacking holiday data
    assert first.concluded == 4
    assert first.reminded == CaseStep.objects.filter(reminded_at__isnull=False).count() > 0
    messages = Notification.objects.count()
    again = deadlines.scan(on)
    assert (again.reminded, again.concluded) == (0, 0)
    assert Notification.objects.count() == messages


def test_later_scans_of_the_day_skip_the_clocks_until_the_calendar_changes(generated):
    on = timezone.localdate() + datetime.timedelta(days=9)
    suspended = Suspension.objects.filter(ended_on__isnull=True).values("case").distinct().count()
    assert deadlines.scan(on).recomputed == suspended + 6  # six lacked holiday data
    assert deadlines.scan(on).recomputed == 0  # nothing can have moved since
    CalendarYear.objects.update(loaded_at=timezone.now())  # a holiday notice loaded
    assert deadlines.scan(on).recomputed == suspended
    assert deadlines.scan(on + datetime.timedelta(days=1)).recomputed == suspended


def test_a_skipped_scan_leaves_what_a_full_one_would(generated):
    """Later the same day an action stops a clock: it computed its own case's dates, so
    the scan that skips the recomputation leaves exactly what a full one leaves."""
    on = timezone.localdate()
    deadlines.scan(on)
    step = (
        CaseStep.objects.filter(state=StepState.OPEN, case__state=CaseState.IN_PROGRESS)
        .exclude(case__suspensions__ended_on__isnull=True, case__suspensions__isnull=False)
        .select_related("case")
        .first()
    )
    holder = StaffPost.objects.filter(department_id=step.department_id, post=step.post).first()
    handling.start_special(step.case, holder.user, kind="hearing", reason="需听证")
    skipped = run(deadlines.scan, on)
    assert ClockScan.objects.filter(day=on).exists()
    ClockScan.objects.all().delete()
    assert run(deadlines.scan, on) == skipped


def test_a_case_changed_between_the_read_and_the_write_keeps_the_change(generated):
    """The scan computes without locks and writes later: a case an action saved in
    between (here its limit extended and its suspension ended) keeps that change and gets
    the dates of its new inputs, not the stale ones computed before; the others are
    written as computed."""
    on = timezone.localdate() + datetime.timedelta(days=9)
    batch = calendar.Batch(on)
    _, changes = deadlines._compute(deadlines.clocks_to_recompute(), on, batch)
    suspended = (
        Case.objects.filter(
            pk__in=list(changes.cases),
            suspensions__ended_on__isnull=True,
            accepted_at__isnull=False,
            statutory_limit_days__isnull=False,
            steps__state=StepState.OPEN,
        )
        .order_by("pk")
        .first()
    )
    with transaction.atomic():  # the action, committed before the scan writes
        case = transitions.lock(suspended)
        case.suspensions.filter(ended_on__isnull=True).update(ended_on=timezone.localdate())
        case.extension_days += 30
        clocks.recompute(case, on)
        case.save()
    changed = sorted(changes.read)
    with transaction.atomic():  # the scan's chunk transaction
        assert deadlines._write(changes, changed, on, batch) == 1

    case = Case.objects.get(pk=case.pk)
    assert case.extension_days == suspended.extension_days + 30
    assert not case.suspensions.filter(ended_on__isnull=True).exists()
    intervals = clocks.suspensions_of(case, on)
    expected = clocks.due_dates(case, intervals)
    assert {name: getattr(case, name) for name in expected} == expected
    stale = dict(zip(deadlines.CASE_CLOCK_FIELDS, changes.cases[case.pk], strict=True))
    assert stale["statutory_due"] != case.statutory_due  # the stale dates were not written
    for step in case.steps.filter(state=StepState.OPEN):
        assert step.due_date == clocks.step_due_date(step, intervals)
    # the cases nobody touched got the dates computed for them
    others = [pk for pk in changes.cases if pk != case.pk]
    written = Case.objects.filter(pk__in=others).values_list("pk", *deadlines.CASE_CLOCK_FIELDS)
    assert {pk: tuple(values) for pk, *values in written} == {
        pk: changes.cases[pk] for pk in others
    }
    due = dict(CaseStep.objects.filter(state=StepState.OPEN).values_list("pk", "due_date"))
    for pk in others:
        for step_pk, step_due in changes.steps.get(pk, ()):
            assert due[step_pk] == step_due


def test_the_selection_is_the_cases_the_per_case_scan_selected(generated):
    """``clocks_to_recompute`` (one ``UNION`` of two partial indexes, read once as a list)
    selects what the per-case scan's ``OR`` selected, and the reads that take the list
    (``_among``: one array or JSON parameter) find those cases, however long it is."""
    reference = Case.objects.filter(
        Q(suspensions__ended_on__isnull=True, suspensions__isnull=False)
        | Q(calendar_complete=False, state__in=OPEN_STATES)
    )
    expected = sorted(set(reference.values_list("pk", flat=True)))
    selected = deadlines.clocks_to_recompute()
    assert selected == expected and len(selected) > 20
    # more ids than SQLite takes placeholders in one statement (32,766)
    many = selected + list(range(10**9, 10**9 + 40_000))
    found = Case.objects.filter(deadlines._among(Case, "id", many)).values_list("pk", flat=True)
    assert sorted(found) == expected
    tasks = CaseStep.objects.filter(deadlines._among(CaseStep, "case", many))
    assert tasks.count() == CaseStep.objects.filter(case_id__in=expected).count() > 0
