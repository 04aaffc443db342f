"""Outside the opening hours a hand-over becomes a written consultation with a deadline
in working days, answered in the same thread or reminded by the periodic job."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from govhall.assistant.models import Consultation
from govhall.assistant.services import consultation
from govhall.core.services import calendar
from govhall.operations import registry
from govhall.regions.models import Department, Post
from tests.common import staff

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def _working_day(start: datetime.date) -> datetime.date:
    return calendar.add_working_days(start, 0).due_date


def _rest_day(start: datetime.date) -> datetime.date:
    day = start
    while calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def test_opening_hours_follow_the_setting_and_the_calendar(settings):
    settings.GOVHALL_CONSULTATION_HOURS = "09:00-17:00"
    monday = _working_day(datetime.date(2026, 3, 2))
    assert consultation.is_open(_at(monday, 10))
    assert not consultation.is_open(_at(monday, 8))
    assert not consultation.is_open(_at(monday, 17))
    assert not consultation.is_open(_at(_rest_day(monday), 10))


def test_a_night_hand_over_is_written_with_a_deadline_and_answered(catalog, settings):
    settings.GOVHALL_WRITTEN_ANSWER_DAYS = 3
    day = _working_day(datetime.date(2026, 3, 2))
    night = _at(day, 22)
    handed = consultation.hand_over(question="晚上能办理低保吗", region="440703", now=night)
    c = handed.consultation
    assert c.kind == Consultation.Kind.WRITTEN and c.state == "waiting"
    assert c.due_date == calendar.add_working_days(day, 3).due_date
    notice = c.messages.order_by("pk").last().text
    assert "书面咨询" in notice and f"{c.due_date.month}月{c.due_date.day}日" in notice
    agent = staff(Post.CLERK, c.department)
    consultation.reply(c, agent, "可以在网上办事大厅提交，工作日受理。")
    view = (
        APIClient()
        .get(
            f"/api/v1/assistant/consultations/{c.public_id}/messages",
            HTTP_X_CONSULTATION_TOKEN=handed.token,
        )
        .json()
    )
    assert view["kind"] == "written" and view["due_date"] == c.due_date.isoformat()
    assert view["messages"][-1]["sender"] == "agent"
    # answered: no reminder on the due day
    assert consultation.remind_written(now=_at(c.due_date, 10)) == 0


def test_an_unanswered_written_consultation_raises_one_reminder(catalog):
    day = _working_day(datetime.date(2026, 3, 2))
    handed = consultation.hand_over(question="周末可以预约吗", region="440703", now=_at(day, 20))
    c = handed.consultation
    assert consultation.remind_written(now=_at(day, 21)) == 0  # not due yet
    job = registry.get("remind_written_consultations")
    assert job is not None
    assert consultation.remind_written(now=_at(c.due_date, 9)) == 1
    c.refresh_from_db()
    assert c.reminded_at is not None
    assert "到期" in c.messages.order_by("pk").last().text
    assert consultation.remind_written(now=_at(c.due_date, 10)) == 0  # once
    assert Department.objects.filter(pk=c.department_id).exists()
