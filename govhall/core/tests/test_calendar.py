"""Working-day arithmetic (行政许可法 Art. 42 and 82; 国务院 holiday notices).

Expected dates were counted by hand from the State Council General Office's notices
on the 2025 and 2026 holiday arrangements (国务院办公厅关于2025年/2026年部分节假日安排的
通知); the first tests check that ``chinese_calendar`` and the loaded table agree with
those notices.
"""

import datetime

import chinese_calendar
import pytest

from govhall.core.errors import Refusal
from govhall.core.services import calendar
from govhall.core.services.calendar import (
    Interval,
    add_working_days,
    remaining_working_days,
    working_days_between,
)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def span(first: str, last: str) -> list[datetime.date]:
    days, day = [], d(first)
    while day <= d(last):
        days.append(day)
        day += datetime.timedelta(days=1)
    return days


# 2026, typed from the notice.
HOLIDAYS_2026 = [
    *span("2026-01-01", "2026-01-03"),  # 元旦
    *span("2026-02-15", "2026-02-23"),  # 春节
    *span("2026-04-04", "2026-04-06"),  # 清明节
    *span("2026-05-01", "2026-05-05"),  # 劳动节
    *span("2026-06-19", "2026-06-21"),  # 端午节
    *span("2026-09-25", "2026-09-27"),  # 中秋节
    *span("2026-10-01", "2026-10-07"),  # 国庆节
]
MAKE_UP_2026 = [d(x) for x in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09")] + [
    d("2026-09-20"),
    d("2026-10-10"),
]
# 2025: the holidays that fall on weekdays, and the make-up days.
WEEKDAY_HOLIDAYS_2025 = [
    d("2025-01-01"),
    *span("2025-01-28", "2025-01-31"),
    *span("2025-02-03", "2025-02-04"),
    d("2025-04-04"),
    *span("2025-05-01", "2025-05-02"),
    d("2025-05-05"),
    d("2025-06-02"),
    *span("2025-10-01", "2025-10-03"),
    *span("2025-10-06", "2025-10-08"),
]
MAKE_UP_2025 = [d(x) for x in ("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28")] + [
    d("2025-10-11")
]


class TestTheNoticesAndTheData:
    def test_make_up_days_fall_on_weekends_as_the_notice_says(self):
        assert [day.strftime("%a") for day in MAKE_UP_2026] == [
            "Sun",
            "Sat",
            "Sat",
            "Sat",
            "Sun",
            "Sat",
        ]

    def test_chinese_calendar_agrees_with_the_2026_notice(self):
        year = span("2026-01-01", "2026-12-31")
        assert sorted(day for day in year if day in chinese_calendar.holidays) == HOLIDAYS_2026
        assert sorted(day for day in year if day in chinese_calendar.workdays) == MAKE_UP_2026

    def test_chinese_calendar_agrees_with_the_2025_notice(self):
        year = span("2025-01-01", "2025-12-31")
        weekday_holidays = [
            day for day in year if day.weekday() < 5 and not chinese_calendar.is_workday(day)
        ]
        assert weekday_holidays == WEEKDAY_HOLIDAYS_2025
        assert sorted(day for day in year if day in chinese_calendar.workdays) == MAKE_UP_2025

    def test_the_loaded_table_says_the_same_for_every_day_of_2025_and_2026(self, db):
        for day in span("2025-01-01", "2026-12-31"):
            assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        for day in HOLIDAYS_2026:
            assert not calendar.is_working_day(day)
        for day in MAKE_UP_2026 + MAKE_UP_2025:
            assert calendar.is_working_day(day)

    def test_known_years(self, db):
        assert calendar.is_known_year(2004)
        assert calendar.is_known_year(2026)
        assert not calendar.is_known_year(2027)
        assert not calendar.is_known_year(2003)


class TestAddWorkingDays:
    def test_start_day_is_not_counted(self, db):
        assert add_working_days(d("2026-03-02"), 1).due_date == d("2026-03-03")

    def test_weekend_is_skipped(self, db):
        assert add_working_days(d("2026-03-06"), 1).due_date == d("2026-03-09")

    @pytest.mark.parametrize(
        ("working_days", "due"),
        [
            (1, "2026-02-13"),
            (2, "2026-02-14"),  # Saturday make-up day counts
            (3, "2026-02-24"),  # 2-15..2-23 is the Spring Festival
            (7, "2026-02-28"),  # the second make-up Saturday
            (8, "2026-03-02"),
        ],
    )
    def test_across_the_2026_spring_festival(self, db, working_days, due):
        result = add_working_days(d("2026-02-12"), working_days)
        assert result.due_date == d(due)
        assert result.complete
        assert result.missing_years == ()

    def test_twenty_working_day_licensing_limit_across_the_spring_festival(self, db):
        # Accepted Tue 2026-02-10: 11, 12, 13, 14(Sat), 24, 25, 26, 27, 28(Sat), 3-2 … 3-16.
        assert add_working_days(d("2026-02-10"), 20).due_date == d("2026-03-16")

    @pytest.mark.parametrize(
        ("working_days", "due"),
        [
            (1, "2026-09-20"),  # Sunday make-up day
            (5, "2026-09-24"),
            (6, "2026-09-28"),  # 9-25..9-27 is the Mid-Autumn Festival
            (8, "2026-09-30"),
            (9, "2026-10-08"),  # 10-1..10-7 is the National Day holiday
            (11, "2026-10-10"),  # Saturday make-up day
            (12, "2026-10-12"),
        ],
    )
    def test_across_the_2026_national_day(self, db, working_days, due):
        assert add_working_days(d("2026-09-18"), working_days).due_date == d(due)

    @pytest.mark.parametrize(
        ("start", "working_days", "due"),
        [
            ("2025-01-24", 1, "2025-01-26"),  # Sunday make-up before the Spring Festival
            ("2025-01-24", 3, "2025-02-05"),
            ("2025-01-24", 6, "2025-02-08"),  # Saturday make-up after it
            ("2025-01-24", 7, "2025-02-10"),
            ("2025-09-26", 1, "2025-09-28"),
            ("2025-09-26", 4, "2025-10-09"),  # 10-1..10-8 National Day and Mid-Autumn
            ("2025-09-26", 6, "2025-10-11"),
            ("2025-09-26", 7, "2025-10-13"),
        ],
    )
    def test_2025_spring_festival_and_national_day(self, db, start, working_days, due):
        assert add_working_days(d(start), working_days).due_date == d(due)

    def test_a_period_that_would_end_in_a_holiday_ends_on_the_next_working_day(self, db):
        assert add_working_days(d("2026-09-30"), 1).due_date == d("2026-10-08")

    def test_zero_days_from_a_working_day_is_that_day(self, db):
        result = add_working_days(d("2026-03-02"), 0)
        assert result.due_date == d("2026-03-02")
        assert result.complete

    def test_zero_days_from_a_holiday_moves_to_the_next_working_day(self, db):
        assert add_working_days(d("2026-10-01"), 0).due_date == d("2026-10-08")

    def test_zero_days_from_a_make_up_saturday_is_that_saturday(self, db):
        assert add_working_days(d("2026-10-10"), 0).due_date == d("2026-10-10")

    def test_from_2025_into_the_2026_new_year(self, db):
        # 1-1..1-3 are holidays and Sunday 1-4 is a make-up working day.
        assert add_working_days(d("2025-12-31"), 1).due_date == d("2026-01-04")

    def test_staying_inside_2026_is_complete(self, db):
        result = add_working_days(d("2026-12-29"), 2)
        assert result.due_date == d("2026-12-31")
        assert result.complete

    def test_into_2027_without_data_says_so(self, db):
        result = add_working_days(d("2026-12-30"), 3)
        # Weekdays of the unknown year are assumed to be working days...
        assert result.due_date == d("2027-01-04")
        # ...and the answer says that it is a guess, naming the year.
        assert result.complete is False
        assert result.missing_years == (2027,)
        assert "2027" in result.warning
        assert "缺少" in result.warning

    def test_complete_result_has_no_warning(self, db):
        assert add_working_days(d("2026-03-02"), 5).warning == ""

    def test_several_missing_years_are_all_named(self, db):
        result = add_working_days(d("2026-12-30"), 600)
        assert result.missing_years == (2027, 2028, 2029)
        assert "2027、2028、2029" in result.warning

    def test_negative_is_refused(self, db):
        with pytest.raises(Refusal) as caught:
            add_working_days(d("2026-03-02"), -1)
        assert (caught.value.field, caught.value.code) == ("working_days", "min_value")
        assert "负数" in caught.value.message

    def test_more_than_the_maximum_is_refused(self, db):
        with pytest.raises(Refusal) as caught:
            add_working_days(d("2026-03-02"), calendar.MAX_WORKING_DAYS + 1)
        assert caught.value.code == "max_value"
        assert str(calendar.MAX_WORKING_DAYS) in caught.value.message

    def test_the_maximum_itself_is_answered(self, db):
        result = add_working_days(d("2026-03-02"), calendar.MAX_WORKING_DAYS)
        assert result.due_date > d("2045-01-01")
        assert not result.complete

    def test_running_past_the_last_representable_date_is_an_error_not_a_crash(self, db):
        with pytest.raises(Refusal) as caught:
            add_working_days(d("9999-12-30"), 5)
        assert (caught.value.field, caught.value.code) == ("start", "out_of_range")


class TestSuspensions:
    """Suspensions (补正, hearing, inspection, expert review) stop the clock."""

    def test_working_days_inside_a_suspension_do_not_count(self, db):
        # Without: 3, 4, 5, 6, 9. Suspended 3-4..3-5: 3, 6, 9, 10, 11.
        assert add_working_days(d("2026-03-02"), 5).due_date == d("2026-03-09")
        suspended = [Interval(d("2026-03-04"), d("2026-03-05"))]
        assert add_working_days(d("2026-03-02"), 5, suspended).due_date == d("2026-03-11")

    def test_a_suspension_over_a_holiday_costs_only_its_working_days(self, db):
        suspended = [Interval(d("2026-09-30"), d("2026-10-08"))]
        # 9-30 and 10-8 are the only working days suspended.
        assert add_working_days(d("2026-09-28"), 3, suspended).due_date == d("2026-10-10")

    def test_overlapping_suspensions_are_merged(self, db):
        overlapping = [
            Interval(d("2026-03-05"), d("2026-03-06")),
            Interval(d("2026-03-04"), d("2026-03-05")),
        ]
        merged = [Interval(d("2026-03-04"), d("2026-03-06"))]
        assert add_working_days(d("2026-03-02"), 5, overlapping).due_date == d("2026-03-12")
        assert add_working_days(d("2026-03-02"), 5, merged).due_date == d("2026-03-12")

    def test_a_suspension_inside_another_does_not_end_the_outer_one(self, db):
        nested = [
            Interval(d("2026-03-03"), d("2026-03-13")),
            Interval(d("2026-03-04"), d("2026-03-05")),
        ]
        outer = [Interval(d("2026-03-03"), d("2026-03-13"))]
        assert add_working_days(d("2026-03-02"), 2, nested).due_date == d("2026-03-17")
        assert add_working_days(d("2026-03-02"), 2, outer).due_date == d("2026-03-17")

    def test_adjacent_suspensions_are_one_stretch(self, db):
        adjacent = [
            Interval(d("2026-03-03"), d("2026-03-04")),
            Interval(d("2026-03-05"), d("2026-03-05")),
        ]
        assert add_working_days(d("2026-03-02"), 5, adjacent).due_date == d("2026-03-12")
        assert working_days_between(d("2026-03-02"), d("2026-03-12"), adjacent).working_days == 5

    def test_working_days_between_with_suspensions(self, db):
        assert working_days_between(d("2026-02-12"), d("2026-02-24")).working_days == 3
        suspended = [Interval(d("2026-02-13"), d("2026-02-14"))]
        assert working_days_between(d("2026-02-12"), d("2026-02-24"), suspended).working_days == 1

    def test_interval_end_before_start_is_refused(self):
        with pytest.raises(Refusal) as caught:
            Interval(d("2026-03-05"), d("2026-03-04"))
        assert (caught.value.field, caught.value.code) == ("suspensions", "order")

    def test_one_day_interval(self):
        interval = Interval(d("2026-03-05"), d("2026-03-05"))
        assert interval.contains(d("2026-03-05"))
        assert not interval.contains(d("2026-03-06"))


class TestWorkingDaysBetween:
    def test_counts_after_start_up_to_and_including_end(self, db):
        elapsed = working_days_between(d("2026-09-18"), d("2026-10-12"))
        assert elapsed.working_days == 12  # the same count add_working_days walks
        assert elapsed.complete

    def test_end_not_after_start_is_zero(self, db):
        assert working_days_between(d("2026-03-05"), d("2026-03-05")).working_days == 0
        assert working_days_between(d("2026-03-05"), d("2026-03-02")).working_days == 0

    def test_into_an_unknown_year(self, db):
        elapsed = working_days_between(d("2026-12-30"), d("2027-01-05"))
        assert elapsed.working_days == 4
        assert elapsed.complete is False
        assert elapsed.missing_years == (2027,)

    def test_span_is_limited(self, db):
        with pytest.raises(Refusal) as caught:
            working_days_between(d("0001-01-01"), d("9999-12-31"))
        assert (caught.value.field, caught.value.code) == ("end", "max_span")

    def test_is_the_inverse_of_add_working_days(self, db):
        start = d("2026-01-20")
        for n in (1, 7, 20, 45, 120):
            due = add_working_days(start, n).due_date
            assert working_days_between(start, due).working_days == n


class TestRemainingWorkingDays:
    def test_positive_before_the_due_date(self, db):
        # 9-29, 9-30, 10-8, 10-9
        assert remaining_working_days(d("2026-09-28"), d("2026-10-09")) == 4

    def test_zero_on_the_due_date(self, db):
        assert remaining_working_days(d("2026-10-09"), d("2026-10-09")) == 0

    def test_negative_when_overdue(self, db):
        # 10-9, 10-10 (make-up Saturday), 10-12
        assert remaining_working_days(d("2026-10-12"), d("2026-10-08")) == -3

    def test_suspension_extends_what_is_left(self, db):
        suspended = [Interval(d("2026-09-29"), d("2026-09-29"))]
        assert remaining_working_days(d("2026-09-28"), d("2026-10-09"), suspended) == 3


@pytest.mark.django_db
def test_remaining_for_many_dates_matches_one_by_one():
    today = datetime.date(2026, 9, 30)
    dues = [datetime.date(2026, 9, 25), today, datetime.date(2026, 10, 20), None]
    dues += [datetime.date(2026, 11, 3), datetime.date(2026, 10, 10)]
    many = calendar.remaining_for_dates(today, dues)
    assert many == {d: calendar.remaining_working_days(today, d) for d in dues if d}
    assert many[datetime.date(2026, 10, 20)] == 10 and many[datetime.date(2026, 9, 25)] == -3
