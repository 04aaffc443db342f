"""``GET /api/v1/calendar/...`` (docs/api.md, "Utilities")."""

import datetime

import pytest
from django.test import Client

from govhall.core.services import calendar

DUE = "/api/v1/calendar/due-date"
ELAPSED = "/api/v1/calendar/elapsed"


@pytest.fixture
def api(db):
    return Client()


def errors_of(response, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"errors"}
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message"}
    return [(e["field"], e["code"]) for e in body["errors"]], body["errors"]


class TestDueDate:
    def test_across_the_spring_festival(self, api):
        response = api.get(DUE, {"start": "2026-02-12", "working_days": 3})
        assert response.status_code == 200
        assert response.json() == {"due_date": "2026-02-24", "calendar_complete": True}

    def test_make_up_day_counts(self, api):
        response = api.get(DUE, {"start": "2026-09-18", "working_days": 1})
        assert response.json()["due_date"] == "2026-09-20"

    def test_across_national_day(self, api):
        response = api.get(DUE, {"start": "2026-09-30", "working_days": 1})
        assert response.json() == {"due_date": "2026-10-08", "calendar_complete": True}

    def test_zero_working_days_on_a_holiday(self, api):
        response = api.get(DUE, {"start": "2026-10-01", "working_days": 0})
        assert response.json()["due_date"] == "2026-10-08"

    def test_integral_decimal_is_accepted(self, api):
        response = api.get(DUE, {"start": "2026-03-02", "working_days": "5.0"})
        assert response.json()["due_date"] == "2026-03-09"

    def test_into_2027_without_data(self, api):
        response = api.get(DUE, {"start": "2026-12-30", "working_days": 3})
        assert response.status_code == 200
        body = response.json()
        assert body["due_date"] == "2027-01-04"
        assert body["calendar_complete"] is False
        assert body["missing_years"] == [2027]
        assert "2027" in body["warning"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"start": "2026-03-02", "working_days": -1}, [("working_days", "min_value")]),
            ({"start": "2026-03-02", "working_days": 5001}, [("working_days", "max_value")]),
            (
                {"start": "2026-03-02", "working_days": "9" * 30},
                [("working_days", "max_value")],
            ),
            ({"start": "2026-03-02", "working_days": "1.5"}, [("working_days", "invalid")]),
            ({"start": "2026-03-02", "working_days": "ten"}, [("working_days", "invalid")]),
            ({"start": "2026-03-02", "working_days": ""}, [("working_days", "invalid")]),
            ({"start": "2026-02-30", "working_days": 1}, [("start", "invalid")]),
            ({"start": "20260302", "working_days": 1}, [("start", "invalid")]),
            ({"start": "2026/03/02", "working_days": 1}, [("start", "invalid")]),
            ({"start": "2026-03-02"}, [("working_days", "required")]),
            ({"working_days": 3}, [("start", "required")]),
            ({}, [("start", "required"), ("working_days", "required")]),
            ({"start": "9999-12-30", "working_days": 5}, [("start", "out_of_range")]),
        ],
    )
    def test_bad_input_is_a_400_in_the_error_shape(self, api, query, expected):
        found, errors = errors_of(api.get(DUE, query))
        assert found == expected
        assert all(e["message"] for e in errors)

    def test_messages_are_chinese_and_name_the_field(self, api):
        _found, errors = errors_of(api.get(DUE, {"start": "2026-03-02", "working_days": -3}))
        assert errors[0]["message"] == "working_days不能为负数。"


class TestElapsed:
    def test_counts_working_days(self, api):
        response = api.get(ELAPSED, {"start": "2026-02-12", "end": "2026-02-24"})
        assert response.status_code == 200
        assert response.json() == {"working_days": 3, "calendar_complete": True}

    def test_into_2027_without_data(self, api):
        body = api.get(ELAPSED, {"start": "2026-12-30", "end": "2027-01-05"}).json()
        assert body["working_days"] == 4
        assert body["calendar_complete"] is False
        assert body["missing_years"] == [2027]
        assert "2027" in body["warning"]

    def test_end_before_start(self, api):
        found, _ = errors_of(api.get(ELAPSED, {"start": "2026-03-05", "end": "2026-03-01"}))
        assert found == [("end", "invalid")]

    def test_span_too_long(self, api):
        found, _ = errors_of(api.get(ELAPSED, {"start": "0001-01-01", "end": "9999-12-31"}))
        assert found == [("end", "max_span")]

    def test_missing_and_malformed(self, api):
        found, _ = errors_of(api.get(ELAPSED, {"start": "yesterday"}))
        assert found == [("start", "invalid"), ("end", "required")]


class TestCalendarYear:
    def test_a_known_year_lists_holidays_and_make_up_days(self, api):
        response = api.get("/api/v1/calendar/years/2026")
        assert response.status_code == 200
        body = response.json()
        assert body["year"] == 2026
        assert body["source"] == "package"
        days = {day["date"]: day for day in body["days"]}
        assert days["2026-02-14"]["kind"] == "workday"
        assert days["2026-10-10"]["kind"] == "workday"
        assert days["2026-02-17"] == {"date": "2026-02-17", "kind": "holiday", "name": "春节"}
        assert days["2026-10-01"]["name"] == "国庆节"
        assert sum(day["kind"] == "workday" for day in body["days"]) == 6
        assert sum(day["kind"] == "holiday" for day in body["days"]) == 33

    def test_an_unknown_year_is_a_json_404(self, api):
        found, errors = errors_of(api.get("/api/v1/calendar/years/2027"), status=404)
        assert found == [("year", "unknown_year")]
        assert "2027" in errors[0]["message"]

    def test_an_absurd_year_is_a_404_too(self, api):
        found, _ = errors_of(api.get("/api/v1/calendar/years/" + "9" * 25), status=404)
        assert found == [("year", "unknown_year")]


def test_due_date_reflects_a_year_loaded_after_the_first_answer(api):
    """The per-process snapshot must not keep answering from before the load."""
    first = api.get(DUE, {"start": "2026-12-30", "working_days": 3}).json()
    assert first["calendar_complete"] is False
    calendar.load_year(2027, [calendar.DayEntry(datetime.date(2027, 1, 1), "holiday", "元旦")])
    second = api.get(DUE, {"start": "2026-12-30", "working_days": 3}).json()
    assert second == {"due_date": "2027-01-05", "calendar_complete": True}
