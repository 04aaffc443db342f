"""办事温馨提醒: each deadline told once, in the inbox and by SMS when chosen."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from govhall.accounts import sms
from govhall.cases.models import CorrectionNotice, Notification
from govhall.cases.services import handling
from govhall.cases.tests import factories as f
from govhall.core.services import calendar
from govhall.regions.models import Post

from .. import jobs
from ..models import Preference, Reminder, ReminderKind
from ..services import preferences, reminders
from .helpers import _private_media, company_licence, person_licence, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(monkeypatch):
    sent = []
    monkeypatch.setattr(sms, "send", lambda mobile, text: sent.append((mobile, text)))
    return sent


def correction_case(identity):
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    case = f.submitted(f.item(dept), identity)
    handling.request_correction(case, clerk, items=[{"name": "申请书", "problem": "未签名"}])
    return case, CorrectionNotice.objects.get(case=case)


def test_a_correction_due_in_one_working_day_is_reminded_once_in_the_inbox_and_by_sms(
    outbox, django_capture_on_commit_callbacks
):
    me = f.applicant()
    case, notice = correction_case(me)
    due = reminders.correction_due(notice)
    # far from the deadline: nothing yet
    early = timezone.localdate(notice.issued_at)
    assert reminders.scan(on=early).sent.get(ReminderKind.CORRECTION_DUE) is None
    # one working day before the deadline
    day_before = due - datetime.timedelta(days=1)
    while calendar.remaining_working_days(day_before, due) != 1:
        day_before -= datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.scan(on=day_before)
        second = reminders.scan(on=day_before)
    assert first.sent[ReminderKind.CORRECTION_DUE] == 1
    assert second.sent.get(ReminderKind.CORRECTION_DUE) is None
    (reminder,) = Reminder.objects.filter(user=me.user, kind=ReminderKind.CORRECTION_DUE)
    assert reminder.due_date == due and reminder.sms is True
    note = Notification.objects.get(pk=reminder.notification_id)
    assert f"{due:%Y年%m月%d日}" in note.body and "还剩1个工作日" in note.body
    assert note.case_number == case.number
    texts = [
        text for mobile, text in outbox if mobile == me.user.mobile and due.strftime("%Y年") in text
    ]
    assert len(texts) == 1


def test_a_licence_expiring_within_90_days_is_reminded_once_to_each_entitled_person(outbox):
    me = f.applicant()
    on = timezone.localdate()
    soon = person_licence(me, valid_until=on + datetime.timedelta(days=80))
    person_licence(f.applicant(), valid_until=on + datetime.timedelta(days=200))  # too far
    agent = f.company_agent()
    company_licence(agent.company, valid_until=on + datetime.timedelta(days=30))
    result = reminders.scan(on=on)
    assert result.sent[ReminderKind.LICENCE_EXPIRY] == 2
    mine = Reminder.objects.get(user=me.user, kind=ReminderKind.LICENCE_EXPIRY)
    assert mine.key == f"licence:{soon.pk}:{soon.current.valid_until.isoformat()}"
    assert "还有80天" in mine.body
    theirs = Reminder.objects.get(user=agent.user, kind=ReminderKind.LICENCE_EXPIRY)
    assert theirs.company == agent.company
    assert reminders.scan(on=on).total == 0


def test_a_person_who_chose_inbox_only_gets_no_sms_and_one_who_switched_off_gets_nothing(
    outbox, django_capture_on_commit_callbacks
):
    inbox_only, silent = f.applicant(), f.applicant()
    preferences.save(inbox_only.user, reminders=True, sms=False, pushes_off=[])
    preferences.save(silent.user, reminders=False, sms=True, pushes_off=[])
    on = timezone.localdate()
    for who in (inbox_only, silent):
        person_licence(who, valid_until=on + datetime.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.scan(on=on)
    assert result.sent[ReminderKind.LICENCE_EXPIRY] == 1 and result.skipped == 1
    reminder = Reminder.objects.get(user=inbox_only.user)
    assert reminder.sms is False and reminder.notification is not None
    assert not [m for m, _ in outbox if m in (inbox_only.user.mobile, silent.user.mobile)]
    assert not Reminder.objects.filter(user=silent.user).exists()
    assert mail.outbox == [] or all(silent.user.email not in m.to for m in mail.outbox)


def test_the_periodic_job_is_registered_and_reports_what_it_sent():
    from govhall.operations import registry

    assert "send_reminders" in registry.jobs()
    me = f.applicant()
    person_licence(me, valid_until=timezone.localdate() + datetime.timedelta(days=5))
    summary = jobs.send_reminders()
    assert summary["sent"] == {ReminderKind.LICENCE_EXPIRY: 1}


def test_preferences_by_page_and_by_api_with_a_clear_error_for_an_unknown_kind():
    me = f.applicant()
    client = signed_in(me)
    response = client.post(
        "/my/space/settings/", {"reminders": "on", "pushes": ["service", "policy"]}
    )
    assert response.status_code == 302
    saved = Preference.objects.get(user=me.user)
    assert saved.reminders is True and saved.sms is False
    assert saved.pushes_off == ["next_service", "renewal"]
    body = client.get("/api/v1/my/space/preferences").json()
    assert body == {
        "reminders": True,
        "sms": False,
        "pushes_off": ["next_service", "renewal"],
        "themes": [],
    }
    bad = client.put(
        "/api/v1/my/space/preferences",
        {"reminders": True, "sms": True, "pushes_off": ["lottery"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    (error,) = bad.json()["errors"]
    assert error["field"] == "pushes_off" and "lottery" in error["message"]
    assert Preference.objects.get(user=me.user).sms is False  # nothing half-written
