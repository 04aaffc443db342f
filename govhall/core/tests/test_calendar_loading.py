"""Loading a year's holidays: the service, the command and the admin screen.

The 2027 schedule below is made up for the tests (the shape of a State Council notice,
not its content): 元旦 on Friday 1 January, a Saturday make-up day on 20 February.
"""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

from govhall.core.errors import Refusal
from govhall.core.models import AuditEntry, CalendarDay, CalendarYear
from govhall.core.services import calendar
from govhall.core.services.calendar import DayEntry
from tests.factories import UserFactory

from .helpers import admin_form_data

SCHEDULE_2027 = """\
# 2027年部分节假日安排（测试用）
2027-01-01 holiday 元旦
2027-01-02 holiday 元旦
2027-01-03 holiday 元旦
2027-02-06 休 春节
2027-02-07 休 春节
2027-02-08 休 春节
2027-02-20 班 春节
"""
START, N = datetime.date(2026, 12, 30), 3  # 12-31, (1-1), 1-4, 1-5


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def state(year: int) -> tuple:
    """Everything a load of ``year`` could write, to show that a failed load wrote nothing."""
    calendar_year = CalendarYear.objects.filter(year=year).first()
    return (
        calendar_year and (calendar_year.source, calendar_year.notice, calendar_year.loaded_at),
        list(CalendarDay.objects.filter(year_id=year).values_list("date", "kind", "name")),
        AuditEntry.objects.count(),
    )


def imports_of(year: int):
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.IMPORT, object_type="core.calendaryear", object_id=str(year)
    ).order_by("sequence")


class TestParseDayLines:
    def test_kinds_in_english_and_as_the_notices_mark_them(self):
        entries = calendar.parse_day_lines(SCHEDULE_2027)
        assert len(entries) == 7
        assert entries[0] == DayEntry(d("2027-01-01"), "holiday", "元旦")
        assert entries[3] == DayEntry(d("2027-02-06"), "holiday", "春节")
        assert entries[-1] == DayEntry(d("2027-02-20"), "workday", "春节")

    def test_csv_from_a_spreadsheet(self):
        text = '\ufeffdate,kind,name\r\n"2027-01-01","holiday","元旦"\r\n2027-02-20，班，春节\r\n'
        assert calendar.parse_day_lines(text) == [
            DayEntry(d("2027-01-01"), "holiday", "元旦"),
            DayEntry(d("2027-02-20"), "workday", "春节"),
        ]

    def test_chinese_header_comments_and_blank_lines_are_skipped(self):
        text = "日期 类别 名称\n\n# 元旦\n  2027-01-01   holiday   元旦  \n"
        assert calendar.parse_day_lines(text) == [DayEntry(d("2027-01-01"), "holiday", "元旦")]

    def test_a_name_is_optional_and_may_contain_spaces(self):
        assert calendar.parse_day_lines("2027-01-01 holiday\n2027-01-02 休 New Year")[1] == (
            DayEntry(d("2027-01-02"), "holiday", "New Year")
        )

    @pytest.mark.parametrize(
        ("text", "code", "fragment"),
        [
            ("2027-01-01 holiday 元旦\n2027-01-02", "format", "第2行格式错误"),
            ("2027-01-01 holiday\n2027-13-01 holiday", "date", "第2行日期“2027-13-01”无效"),
            ("2027/01/01 holiday", "date", "应为YYYY-MM-DD"),
            ("2027-01-01 holiday\n\n2027-01-04 rest", "kind", "第3行类别“rest”无效"),
        ],
    )
    def test_errors_name_the_line(self, text, code, fragment):
        with pytest.raises(Refusal) as caught:
            calendar.parse_day_lines(text)
        assert caught.value.code == code
        assert caught.value.field == "days"
        assert fragment in caught.value.message


class TestLoadYear:
    def test_loads_a_new_year_and_marks_it_known(self, db):
        user = UserFactory()
        calendar_year = calendar.load_year(
            2027,
            calendar.parse_day_lines(SCHEDULE_2027),
            notice="国务院办公厅关于2027年部分节假日安排的通知（测试）",
            user=user,
        )
        assert calendar_year.source == CalendarYear.Source.ADMIN
        assert calendar_year.loaded_by == user
        assert calendar.is_known_year(2027)
        assert not calendar.is_working_day(d("2027-01-01"))
        assert calendar.is_working_day(d("2027-02-20"))
        assert [day.date for day in calendar.exceptions_in(2027)][:2] == [
            d("2027-01-01"),
            d("2027-01-02"),
        ]

    def test_a_due_date_changes_right_after_loading_the_year(self, db):
        before = calendar.add_working_days(START, N)
        assert (before.due_date, before.complete) == (d("2027-01-04"), False)
        calendar.load_year(2027, calendar.parse_day_lines(SCHEDULE_2027))
        after = calendar.add_working_days(START, N)
        assert (after.due_date, after.complete, after.missing_years) == (d("2027-01-05"), True, ())

    def test_a_load_by_another_process_is_seen(self, db):
        """Another web process or worker loads the year: this process's snapshot knows
        nothing of it, yet the next computation must use the new data."""
        stale = calendar._load()
        calendar.load_year(2027, calendar.parse_day_lines(SCHEDULE_2027))
        calendar._snapshot = stale  # as if the load had happened elsewhere
        assert calendar.add_working_days(START, N).due_date == d("2027-01-05")

    def test_a_reload_by_another_process_is_seen(self, db):
        calendar.load_year(2027, calendar.parse_day_lines(SCHEDULE_2027))
        stale = calendar._load()
        calendar.load_year(2027, [])  # same number of years, only loaded_at moves
        calendar._snapshot = stale
        assert calendar.add_working_days(START, N).due_date == d("2027-01-04")
        assert calendar.add_working_days(START, N).complete

    def test_a_rolled_back_load_is_forgotten_by_the_snapshot(self, db):
        with transaction.atomic():
            calendar.load_year(2027, calendar.parse_day_lines(SCHEDULE_2027))
            assert calendar.add_working_days(START, N).complete
            transaction.set_rollback(True)
        result = calendar.add_working_days(START, N)
        assert (result.due_date, result.complete) == (d("2027-01-04"), False)

    def test_replacing_a_year_replaces_all_its_days(self, db):
        calendar.load_year(2027, calendar.parse_day_lines(SCHEDULE_2027))
        calendar.load_year(2027, [DayEntry(d("2027-05-03"), "holiday", "劳动节")])
        assert [(x.date, x.name) for x in calendar.exceptions_in(2027)] == [
            (d("2027-05-03"), "劳动节")
        ]
        assert calendar.is_working_day(d("2027-01-01"))  # no longer a holiday

    @pytest.mark.parametrize(
        ("entries", "field", "code", "fragment"),
        [
            (
                [DayEntry(d("2028-01-01"), "holiday", "元旦")],
                "date",
                "year_mismatch",
                "不属于2027年",
            ),
            (
                [DayEntry(d("2027-01-01"), "holiday"), DayEntry(d("2027-01-01"), "holiday")],
                "date",
                "duplicate",
                "2027-01-01重复出现",
            ),
            (
                [DayEntry(d("2027-02-19"), "workday", "春节")],  # a Friday
                "date",
                "workday_on_weekday",
                "周一至周五",
            ),
            ([DayEntry(d("2027-05-01"), "rest", "劳动节")], "kind", "invalid", "类别“rest”无效"),
            ([DayEntry(d("2027-05-01"), "holiday", "长" * 51)], "name", "max_length", "50"),
        ],
    )
    def test_bad_lists_are_refused_and_nothing_is_written(self, db, entries, field, code, fragment):
        calendar.load_year(2027, calendar.parse_day_lines(SCHEDULE_2027))
        before = state(2027)
        with pytest.raises(Refusal) as caught:
            calendar.load_year(2027, [*calendar.parse_day_lines(SCHEDULE_2027)[:2], *entries])
        assert (caught.value.field, caught.value.code) == (field, code)
        assert fragment in caught.value.message
        assert state(2027) == before

    def test_a_year_out_of_range_is_refused(self, db):
        with pytest.raises(Refusal) as caught:
            calendar.load_year(27, [])
        assert (caught.value.field, caught.value.code) == ("year", "out_of_range")
        assert not CalendarYear.objects.filter(year=27).exists()

    def test_an_overlong_notice_is_refused_before_the_database_sees_it(self, db):
        with pytest.raises(Refusal) as caught:
            calendar.load_year(2027, [], notice="通" * 201)
        assert caught.value.field == "notice"
        assert not CalendarYear.objects.filter(year=2027).exists()

    def test_a_failure_while_writing_leaves_the_old_year_intact(self, db):
        before = state(2026)
        with (
            mock.patch.object(calendar.audit, "record", side_effect=RuntimeError("disk full")),
            pytest.raises(RuntimeError),
        ):
            calendar.load_year(2026, [DayEntry(d("2026-01-01"), "holiday", "元旦")])
        assert state(2026) == before
        assert not calendar.is_working_day(d("2026-10-01"))

    def test_each_load_appends_an_audit_entry(self, db):
        admin = UserFactory(username="calendar-admin")
        calendar.load_year(2027, calendar.parse_day_lines(SCHEDULE_2027), notice="第一版")
        calendar.load_year(
            2027, [DayEntry(d("2027-01-01"), "holiday", "元旦")], notice="更正", user=admin
        )
        calendar.load_year(2027, [DayEntry(d("2027-01-01"), "holiday", "元旦")], notice="更正")
        first, second, third = imports_of(2027)
        assert first.before is None
        assert first.after["days"][0] == "2027-01-01 holiday 元旦"
        assert first.after["notice"] == "第一版"
        assert len(first.after["days"]) == 7
        assert second.before["days"] == first.after["days"]
        assert second.after == {
            "days": ["2027-01-01 holiday 元旦"],
            "source": "admin",
            "notice": "更正",
            "loaded_by": admin.pk,
        }
        assert third.sequence == second.sequence + 1
        assert "2027" in third.reason


class TestLoadYearsFromPackage:
    def test_unchanged_years_are_left_alone(self, db):
        audit_count = AuditEntry.objects.count()
        loaded_at = CalendarYear.objects.get(year=2026).loaded_at
        assert calendar.load_years_from_package() == []
        assert AuditEntry.objects.count() == audit_count
        assert CalendarYear.objects.get(year=2026).loaded_at == loaded_at

    def test_a_package_year_that_drifted_is_reloaded(self, db):
        CalendarDay.objects.filter(date=d("2026-10-10")).delete()
        assert calendar.load_years_from_package([2026]) == [2026]
        assert CalendarDay.objects.get(date=d("2026-10-10")).kind == "workday"
        assert imports_of(2026).last().after["source"] == "package"

    def test_an_administrators_edits_are_not_overwritten(self, db):
        corrected = [DayEntry(x.date, x.kind, x.name) for x in calendar.exceptions_in(2026)]
        corrected.append(DayEntry(d("2026-12-31"), "holiday", "地方假日（测试）"))
        calendar.load_year(2026, corrected, notice="管理员更正")
        assert calendar.load_years_from_package() == []
        assert calendar.load_years_from_package([2026]) == []
        assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.ADMIN
        assert CalendarDay.objects.get(date=d("2026-12-31")).name == "地方假日（测试）"

    def test_a_year_the_package_does_not_know_is_refused_not_guessed(self, db):
        with pytest.raises(Refusal) as caught:
            calendar.load_years_from_package([2027])
        assert caught.value.code == "not_in_package"
        assert "2027" in caught.value.message
        assert not calendar.is_known_year(2027)

    def test_package_years(self):
        years = calendar.package_years()
        assert years[0] == 2004
        assert 2026 in years


class TestLoadCalendarCommand:
    def test_loads_a_year_from_a_file(self, db, tmp_path, capsys):
        schedule = tmp_path / "2027.txt"
        schedule.write_text(SCHEDULE_2027, encoding="utf-8")
        call_command("load_calendar", "--year", "2027", "--file", str(schedule), "--notice", "通知")
        assert "已载入2027年" in capsys.readouterr().out
        calendar_year = CalendarYear.objects.get(year=2027)
        assert (calendar_year.source, calendar_year.notice) == ("file", "通知")
        assert CalendarDay.objects.filter(year=calendar_year).count() == 7
        due = calendar.add_working_days(START, N)
        assert (due.due_date, due.complete) == (d("2027-01-05"), True)

    def test_a_spreadsheet_csv_with_a_byte_order_mark(self, db, tmp_path):
        schedule = tmp_path / "2027.csv"
        schedule.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8-sig")
        call_command("load_calendar", "--year", "2027", "--file", str(schedule))
        assert CalendarDay.objects.get(date=d("2027-01-01")).name == "元旦"

    def test_a_bad_file_is_refused_naming_the_line_and_nothing_is_written(self, db, tmp_path):
        schedule = tmp_path / "2027.txt"
        schedule.write_text(SCHEDULE_2027 + "2027-02-19 班 春节\n", encoding="utf-8")
        with pytest.raises(CommandError, match="周一至周五"):
            call_command("load_calendar", "--year", "2027", "--file", str(schedule))
        assert not CalendarYear.objects.filter(year=2027).exists()
        schedule.write_text("2027-01-01 holiday\n2027-01-0x holiday\n", encoding="utf-8")
        with pytest.raises(CommandError, match="第2行"):
            call_command("load_calendar", "--year", "2027", "--file", str(schedule))

    def test_a_missing_file(self, db, tmp_path):
        with pytest.raises(CommandError, match="找不到文件"):
            call_command("load_calendar", "--year", "2027", "--file", str(tmp_path / "none.txt"))

    def test_a_file_that_is_not_utf8(self, db, tmp_path):
        schedule = tmp_path / "2027.txt"
        schedule.write_bytes("2027-01-01 holiday 元旦".encode("gb18030"))
        with pytest.raises(CommandError, match="UTF-8"):
            call_command("load_calendar", "--year", "2027", "--file", str(schedule))

    def test_file_without_year(self, db, tmp_path):
        with pytest.raises(CommandError, match="--year"):
            call_command("load_calendar", "--file", str(tmp_path / "x.txt"))

    def test_a_year_the_package_lacks(self, db):
        with pytest.raises(CommandError, match="2027"):
            call_command("load_calendar", "--year", "2027")
        assert not CalendarYear.objects.filter(year=2027).exists()

    def test_reseeding_from_the_package_is_idempotent(self, db, capsys):
        audit_count = AuditEntry.objects.count()
        call_command("load_calendar")
        assert "已从软件包载入0个年度" in capsys.readouterr().out
        assert AuditEntry.objects.count() == audit_count


# --- the admin screen ------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="hall-admin", is_staff=True, is_superuser=True))
    return client


class TestAdminScreen:
    ADD = "/admin/core/calendaryear/add/"

    def test_the_add_form_explains_the_format(self, admin_client):
        response = admin_client.get(self.ADD)
        assert response.status_code == 200
        assert "holiday" in response.content.decode()
        assert "2027-01-01 holiday 元旦" in response.content.decode()

    def test_an_administrator_loads_2027(self, admin_client):
        response = admin_client.get(self.ADD)
        data = admin_form_data(response) | {
            "year": "2027",
            "notice": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
            "days": SCHEDULE_2027,
        }
        response = admin_client.post(self.ADD, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        calendar_year = CalendarYear.objects.get(year=2027)
        assert calendar_year.source == CalendarYear.Source.ADMIN
        assert calendar_year.loaded_by.username == "hall-admin"
        assert CalendarDay.objects.filter(year=calendar_year).count() == 7
        entry = imports_of(2027).get()
        assert entry.actor_label == "hall-admin"
        assert entry.request_id == response["X-Request-ID"]

        api = Client().get("/api/v1/calendar/due-date", {"start": "2026-12-30", "working_days": 3})
        assert api.json() == {"due_date": "2027-01-05", "calendar_complete": True}

    def test_a_bad_schedule_is_shown_next_to_the_field_and_nothing_is_written(self, admin_client):
        data = admin_form_data(admin_client.get(self.ADD)) | {
            "year": "2027",
            "notice": "",
            "days": "2027-01-01 holiday 元旦\n2027-02-19 workday 春节\n",
        }
        response = admin_client.post(self.ADD, data)
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert "周一至周五" in " ".join(form.errors["days"])
        assert "周一至周五" in response.content.decode()
        assert not CalendarYear.objects.filter(year=2027).exists()

    def test_a_date_outside_the_year(self, admin_client):
        data = admin_form_data(admin_client.get(self.ADD)) | {
            "year": "2027",
            "days": "2028-01-01 holiday 元旦",
        }
        response = admin_client.post(self.ADD, data)
        assert "不属于2027年" in " ".join(response.context["adminform"].form.errors["days"])

    def test_editing_2026_makes_it_the_administrators_and_the_package_leaves_it(self, admin_client):
        url = "/admin/core/calendaryear/2026/change/"
        response = admin_client.get(url)
        assert response.status_code == 200
        data = admin_form_data(response)
        assert "2026-02-14 workday" in data["days"]
        data["days"] += "\n2026-12-31 holiday 地方假日（测试）"
        data["notice"] = "管理员更正"
        response = admin_client.post(url, data)
        assert response.status_code == 302
        assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.ADMIN
        assert not calendar.is_working_day(d("2026-12-31"))

        assert calendar.load_years_from_package() == []
        assert not calendar.is_working_day(d("2026-12-31"))
        assert CalendarYear.objects.get(year=2026).notice == "管理员更正"
