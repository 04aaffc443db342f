"""Due dates across the 2026 National Day holiday, its make-up Saturday and suspensions.

Expected dates are counted by hand from the State Council's 2026 schedule (Oct 1–7 off,
Oct 10 a make-up working day), not by the calendar service under test.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from govhall.regions.models import Post

from ..models import Suspension, SuspensionKind
from ..services import clocks, handling
from . import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def accepted_case():
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    case = f.submitted(f.item(dept))
    handling.accept(case, clerk)
    case.refresh_from_db()
    case.submitted_at = datetime.datetime(2026, 9, 29, 9, 0, tzinfo=SHANGHAI)
    case.accepted_at = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    clocks.recompute(case, on=datetime.date(2026, 9, 30))
    case.save()
    return case


def test_promised_and_statutory_due_dates_skip_holidays_and_count_make_up_days(accepted_case):
    assert accepted_case.promised_due == datetime.date(2026, 10, 20)  # 10 working days
    assert accepted_case.statutory_due == datetime.date(2026, 11, 3)  # 20 working days
    assert accepted_case.calendar_complete is True
    assert clocks.remaining(accepted_case, on=datetime.date(2026, 10, 9)) == 8


def test_a_suspension_moves_the_due_date_by_its_working_days(accepted_case):
    Suspension.objects.create(
        case=accepted_case,
        kind=SuspensionKind.EXPERT_REVIEW,
        reason="专家评审",
        started_on=datetime.date(2026, 10, 12),
        ended_on=datetime.date(2026, 10, 14),
    )
    clocks.recompute(accepted_case, on=datetime.date(2026, 10, 20))
    assert accepted_case.promised_due == datetime.date(2026, 10, 23)


def test_an_open_suspension_counts_up_to_today(accepted_case):
    Suspension.objects.create(
        case=accepted_case,
        kind=SuspensionKind.HEARING,
        reason="听证",
        started_on=datetime.date(2026, 10, 12),
    )
    clocks.recompute(accepted_case, on=datetime.date(2026, 10, 13))
    assert accepted_case.promised_due == datetime.date(2026, 10, 22)  # 12, 13 paused
    clocks.recompute(accepted_case, on=datetime.date(2026, 10, 14))
    assert accepted_case.promised_due == datetime.date(2026, 10, 23)  # and 14 too


def test_extension_adds_working_days_to_the_statutory_limit(accepted_case):
    approver = f.staff(Post.APPROVER, accepted_case.department)
    handling.extend(accepted_case, approver, days=10, reason="情况复杂，经负责人批准延长")
    accepted_case.refresh_from_db()
    accepted_case.accepted_at = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    clocks.recompute(accepted_case, on=datetime.date(2026, 9, 30))
    assert accepted_case.statutory_due == datetime.date(2026, 11, 17)  # 30 working days
    with pytest.raises(Exception, match="法定最多延长10个工作日"):
        handling.extend(accepted_case, approver, days=1, reason="再延长")


def test_a_deadline_in_a_year_without_holiday_data_is_flagged_not_guessed(accepted_case):
    accepted_case.accepted_at = datetime.datetime(2026, 12, 21, 10, 0, tzinfo=SHANGHAI)
    clocks.recompute(accepted_case, on=datetime.date(2026, 12, 21))
    assert accepted_case.calendar_complete is False


def test_step_due_dates_follow_the_step_limits():
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    case = f.submitted(f.item(dept))
    handling.accept(case, clerk)
    step = handling.current_step(case)
    assert step.name == "承办" and step.time_limit_days == 3
    assert step.due_date is not None and step.due_date > datetime.date.today() - datetime.timedelta(
        1
    )


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 9, 29, 23, 59, 59, 999999, tzinfo=SHANGHAI),
        datetime.datetime(2026, 9, 30, 0, 0, tzinfo=SHANGHAI),
        datetime.datetime(2026, 9, 30, 7, 59, 59, tzinfo=SHANGHAI),  # 23:59:59 UTC
        datetime.datetime(2026, 9, 30, 8, 0, tzinfo=SHANGHAI),  # midnight UTC
        datetime.datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI),
    ],
)
def test_the_local_day_read_by_the_database_is_the_one_clocks_count_from(accepted_case, moment):
    """The scan reads the local days of submission and acceptance as the database computes
    them (``clocks.local_day``); they are the days ``timezone.localdate`` gives, and the
    dates computed from them are those ``due_dates`` computes from the moments."""
    from ..models import Case

    Case.objects.filter(pk=accepted_case.pk).update(submitted_at=moment, accepted_at=moment)
    case = Case.objects.get(pk=accepted_case.pk)
    submitted_on, accepted_on = Case.objects.filter(pk=case.pk).values_list(
        clocks.local_day("submitted_at"), clocks.local_day("accepted_at")
    )[0]
    assert submitted_on == accepted_on == timezone.localdate(moment)
    intervals = clocks.suspensions_of(case, datetime.date(2027, 1, 4))
    from_days = clocks.due_dates_from(
        submitted_on,
        accepted_on,
        case.statutory_limit_days,
        case.extension_days,
        case.promised_limit_days,
        intervals,
    )
    assert from_days == clocks.due_dates(case, intervals)
