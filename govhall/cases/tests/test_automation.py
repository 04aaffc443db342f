"""秒批 rules, notifications, the deadline scan and submission checks.

Delivering the outbox is tested in govhall/exchange/tests/test_outbox.py."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from govhall.accounts.models import RealNameLevel
from govhall.regions.models import Post

from ..models import (
    Application,
    CaseState,
    CaseStep,
    Decision,
    Notification,
)
from ..services import applications, auto_approval, deadlines, facts, handling
from . import factories as f

pytestmark = pytest.mark.django_db

RULES = {
    "review_days": 5,
    "rules": [
        {
            "code": "R1",
            "description": "家庭人口不超过6人",
            "fact": "form.household_size",
            "op": "<=",
            "value": 6,
        },
        {
            "code": "R2",
            "description": "申请人年满18周岁",
            "fact": "applicant.age",
            "op": ">=",
            "value": 18,
        },
        {"code": "R3", "description": "持有居民户口簿", "fact": "licence:HKB", "op": "held"},
    ],
}


@pytest.fixture
def household_register():
    def provider(person, company):
        return [facts.HeldLicence("HKB", f"HKB-{person.pk}", "居民户口簿")]

    facts.register_licence_provider(provider)
    yield
    facts._licence_providers.remove(provider)


def test_rules_approve_at_submission_and_say_which_fired(household_register):
    case = f.submitted(f.item(f.department("江门市民政局"), decision_rules=RULES))
    case.refresh_from_db()
    assert case.auto_decided and case.decision == Decision.APPROVE
    assert case.state == CaseState.CONCLUDED
    assert [r["held"] for r in case.rule_results] == [True, True, True]


def test_a_denial_can_go_to_a_person_within_the_time_limit():
    identity = f.applicant()
    case = f.submitted(
        f.item(f.department("江门市民政局"), decision_rules=RULES),
        identity,
        answers={"household_size": 9, "married": False},
    )
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.decision == Decision.DENY
    held = {r["code"]: r["held"] for r in case.rule_results}
    assert held == {"R1": False, "R2": True, "R3": False}
    assert "家庭人口不超过6人" in case.decision_reason
    auto_approval.request_review(case, identity, reason="家庭人口计算有误")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and handling.current_step(case).name == "承办"


def test_an_expired_review_window_is_concluded_by_the_scan():
    case = f.submitted(
        f.item(f.department("江门市民政局"), decision_rules=RULES),
        answers={"household_size": 9, "married": False},
    )
    report = deadlines.scan(on=datetime.date.today() + datetime.timedelta(days=30))
    case.refresh_from_db()
    assert report.concluded == 1 and case.state == CaseState.CONCLUDED


def test_the_scan_reminds_the_post_once_before_a_step_is_due():
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    case = f.submitted(f.item(dept))
    later = datetime.date.today() + datetime.timedelta(days=20)
    assert deadlines.scan(on=later).reminded == 1
    assert deadlines.scan(on=later).reminded == 0
    note = Notification.objects.get(user=clerk, case_number=case.number)
    assert note.event == "overdue" and "受理" in note.body


def test_notifications_go_to_the_inbox_and_by_sms_and_email(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.GOVHALL_SMS_BACKEND = "govhall.accounts.sms.FileBackend"
    settings.GOVHALL_SMS_FILE_PATH = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    identity = f.applicant(user__email="a@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        case = f.submitted(f.item(f.department("江门市民政局")), identity)
    note = Notification.objects.get(user=identity.user, case_number=case.number, event="submit")
    assert note.sms_sent_at and note.email_sent_at and note.send_error == ""
    assert case.number in mail.outbox[0].body
    assert any(case.number in p.read_text() for p in tmp_path.iterdir())


def test_submission_is_idempotent_and_checks_everything():
    identity = f.applicant()
    application = applications.start(identity, item=f.item(f.department("江门市民政局")))
    with pytest.raises(ValidationError) as error:
        applications.submit(application, identity)
    messages = error.value.message_dict
    assert "“家庭人口”为必填项。" in messages["form.household_size"]
    assert any("申请书" in m for m in messages["materials.N:申请书"])
    assert Application.objects.get(pk=application.pk).state == Application.State.DRAFT
    f.fill(application, identity)
    first = applications.submit(application, identity, idempotency_key="k1")
    again = applications.submit(application, identity, idempotency_key="k1")
    once_more = applications.submit(application, identity)
    assert [c.pk for c in first] == [c.pk for c in again] == [c.pk for c in once_more]
    assert CaseStep.objects.filter(case=first[0]).count() == 1


def test_conditional_fields_and_realname_level():
    identity = f.applicant(level=RealNameLevel.SELF_REGISTERED)
    target = f.item(f.department("江门市民政局"))
    with pytest.raises(ValidationError, match="实名等级2级"):
        applications.start(identity, item=target)
    verified = f.applicant()
    application = applications.start(verified, item=target)
    f.fill(application, verified, answers={"household_size": 2, "married": True})
    with pytest.raises(ValidationError) as error:
        applications.submit(application, verified)
    assert "form.spouse_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        applications.save_answers(application, {"household_size": "abc"})
    assert error.value.message_dict["form.household_size"] == ["“家庭人口”须为数字。"]
