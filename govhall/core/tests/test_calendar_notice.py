"""The State Council's holiday notice pasted as published, and the workbench alert that
asks for next year's schedule from November."""

import datetime

import pytest
from django.test import Client

from govhall.core.errors import Refusal
from govhall.core.models import CalendarDay, CalendarYear
from govhall.core.services import calendar
from govhall.regions.models import Department, Post
from govhall.workbench.views import calendar_alert
from tests.factories import StaffPostFactory, UserFactory

from .helpers import admin_form_data

# 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）, as published.
NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
"""


def rest_days(entries, year: int) -> set[datetime.date]:
    off = {e.date for e in entries if e.kind == CalendarDay.Kind.HOLIDAY}
    on = {e.date for e in entries if e.kind == CalendarDay.Kind.WORKDAY}
    day, rest = datetime.date(year, 1, 1), set()
    while day.year == year:
        if (day.weekday() >= 5 or day in off) and day not in on:
            rest.add(day)
        day += datetime.timedelta(days=1)
    return rest


def test_the_notice_gives_the_same_days_as_the_published_calendar():
    parsed = calendar.parse_notice(NOTICE_2025, 2025)
    assert rest_days(parsed, 2025) == rest_days(calendar.entries_from_package(2025), 2025)
    workdays = [(e.date.isoformat(), e.name) for e in parsed if e.kind == "workday"]
    assert workdays == [
        ("2025-01-26", "春节"),
        ("2025-02-08", "春节"),
        ("2025-04-27", "劳动节"),
        ("2025-09-28", "国庆节、中秋节"),
        ("2025-10-11", "国庆节、中秋节"),
    ]
    assert calendar.notice_title(NOTICE_2025) == "国务院办公厅关于2025年部分节假日安排的通知"


def test_a_new_year_run_from_december_keeps_only_this_years_days():
    text = "一、元旦：2017年12月30日至2018年1月1日放假调休，共3天。"
    assert [e.date.isoformat() for e in calendar.parse_notice(text, 2018)] == ["2018-01-01"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("元旦放假一天", "未找到"),
        ("一、春节：2月31日至3月2日放假，共3天。", "“春节”一条中的日期无效"),
        ("一、春节：春节期间放假。", "“春节”一条的放假日期无法识别"),
    ],
)
def test_a_notice_that_cannot_be_read_is_refused_naming_the_section(text, fragment):
    with pytest.raises(Refusal) as caught:
        calendar.parse_notice(text, 2027)
    assert fragment in caught.value.message


@pytest.mark.django_db
def test_the_admin_form_takes_the_notice_in_one_paste():
    client = Client()
    client.force_login(UserFactory(username="hall-admin", is_staff=True, is_superuser=True))
    add = "/admin/core/calendaryear/add/"
    CalendarYear.objects.filter(year=2025).delete()
    data = admin_form_data(client.get(add)) | {"year": "2025", "notice": "", "days": NOTICE_2025}
    response = client.post(add, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    loaded = CalendarYear.objects.get(year=2025)
    assert loaded.notice == "国务院办公厅关于2025年部分节假日安排的通知"
    assert loaded.days.filter(kind="workday").count() == 5
    assert loaded.days.filter(kind="holiday").count() == 28


@pytest.mark.django_db
def test_hall_administrators_are_alerted_from_november_until_next_year_is_loaded():
    centre = Department.objects.get(region_id="440700", name="江门市行政服务中心")
    admin = StaffPostFactory(department=centre, post=Post.HALL_ADMIN).user
    clerk = StaffPostFactory(department=centre, post=Post.CLERK).user
    from govhall.regions.services.scope import scope_of

    CalendarYear.objects.filter(year__gte=2031).delete()
    calendar.invalidate()
    calendar.load_year(2030, [], source=CalendarYear.Source.ADMIN)
    assert calendar_alert(scope_of(admin), datetime.date(2030, 10, 31)) is None
    alert = calendar_alert(scope_of(admin), datetime.date(2030, 11, 1))
    assert alert.years == (2031,)
    assert alert.url == "/admin/core/calendaryear/add/?year=2031"
    assert calendar_alert(scope_of(clerk), datetime.date(2030, 11, 1)) is None  # not theirs
    calendar.load_year(2031, [], source=CalendarYear.Source.ADMIN)
    assert calendar_alert(scope_of(admin), datetime.date(2030, 12, 20)) is None

    # On the workbench home (today: whatever year it is, next year not loaded from Nov).
    today = datetime.date.today()
    CalendarYear.objects.filter(year=today.year + 1).delete()
    calendar.invalidate()
    client = Client()
    client.force_login(admin)
    html = client.get("/workbench/").content.decode()
    expected = today.month >= 11 or not calendar.is_known_year(today.year)
    assert ('id="calendar-alert"' in html) == expected
