"""Applying through the portal pages: start, form, materials, check, submit."""

import pytest
from django.test import Client
from django.urls import reverse

from govhall.accounts.models import RealNameLevel
from govhall.accounts.services import acting
from govhall.accounts.tests.factories import AgentGrantFactory, PersonFactory

from ..models import Application, BundleCase, Case, SubmissionKey
from . import factories as f
from .portal_helpers import (
    GOOD_FORM,
    _private_media,  # noqa: F401  (autouse fixture)
    apply_through_pages,
    idempotency_key,
    signed_in,
    start,
    upload_all,
)

pytestmark = pytest.mark.django_db


def test_full_apply_flow_through_the_pages(client):
    identity = f.applicant()
    item = f.item()
    signed_in(client, identity)

    page = client.get(reverse("cases:item-apply", args=[item.implementation_code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "申请书" in text and "由大厅通过共享数据获取，无需提交" in text
    assert "二级：在线核验" in text

    application = start(client, item)
    form_url = reverse("cases:application", args=[application.public_id])
    page = client.get(form_url)
    assert 'name="form.household_size"' in page.content.decode()
    assert 'data-show-if="{&quot;field&quot;: &quot;form.married&quot;' in page.content.decode()

    # A malformed answer is refused in Chinese, naming the field, and nothing is saved.
    response = client.post(form_url, {**GOOD_FORM, "form.household_size": "三口人"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "“家庭人口”须为数字。" in text
    assert 'href="#id_form.household_size"' in text
    application.refresh_from_db()
    assert application.answers == {}

    # A conditional question becomes required when its condition holds.
    response = client.post(form_url, {**GOOD_FORM, "form.married": "true"})
    assert response.status_code == 400
    assert "“配偶姓名”为必填项。" in response.content.decode()
    application.refresh_from_db()
    assert application.answers == {"household_size": 3, "married": True}

    response = client.post(
        form_url, {**GOOD_FORM, "form.married": "true", "form.spouse_name": "李四"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:materials", args=[application.public_id])

    # The check page names what is missing and links to it.
    check_url = reverse("cases:check", args=[application.public_id])
    page = client.get(check_url)
    assert "请提供“申请书”。" in page.content.decode()
    assert "确认并提交申请" not in page.content.decode()

    upload_all(client, application)
    page = client.get(check_url)
    text = page.content.decode()
    assert "请提供" not in text and "李四" in text and "13800138000" in text
    response = client.post(check_url, {"idempotency_key": idempotency_key(page)})
    assert response.status_code == 302
    case = Case.objects.get(application=application)
    assert case.contact_phone == "13800138000" and case.delivery == "electronic"
    done = client.get(response["Location"])
    assert case.number in done.content.decode()
    assert client.get(case.get_absolute_url()).status_code == 200


def test_double_submit_creates_one_case(client):
    identity = f.applicant()
    item = f.item()
    signed_in(client, identity)
    application = start(client, item)
    client.post(reverse("cases:application", args=[application.public_id]), GOOD_FORM)
    upload_all(client, application)
    check_url = reverse("cases:check", args=[application.public_id])
    key = idempotency_key(client.get(check_url))

    first = client.post(check_url, {"idempotency_key": key})
    second = client.post(check_url, {"idempotency_key": key})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.filter(application=application).count() == 1
    assert SubmissionKey.objects.filter(key=key, application=application).count() == 1
    # A resent form without its key (or with a fresh one) still makes no second case.
    client.post(check_url, {"idempotency_key": ""})
    assert Case.objects.filter(application=application).count() == 1


def test_draft_resumes_in_another_session():
    identity = f.applicant()
    item = f.item()
    phone = signed_in(Client(), identity)
    application = start(phone, item)
    response = phone.post(
        reverse("cases:application", args=[application.public_id]),
        {**GOOD_FORM, "form.household_size": "5", "action": "later"},
    )
    assert response["Location"] == reverse("cases:my-applications")

    computer = signed_in(Client(), identity)
    listing = computer.get(reverse("cases:my-applications")).content.decode()
    assert str(application.public_id) in listing and item.name in listing
    form = computer.get(reverse("cases:application", args=[application.public_id]))
    assert 'name="form.household_size" value="5"' in form.content.decode()
    # The guide's apply page offers the saved draft instead of only a new one.
    apply_page = computer.get(reverse("cases:item-apply", args=[item.implementation_code]))
    assert "继续填写" in apply_page.content.decode()


def test_realname_level_too_low_is_refused_in_words(client):
    identity = f.applicant(level=RealNameLevel.SELF_REGISTERED)
    item = f.item()
    signed_in(client, identity)
    url = reverse("cases:item-apply", args=[item.implementation_code])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        text = response.content.decode()
        assert "需要实名等级2级" in text and "提升实名等级" in text
    assert not Application.objects.filter(item=item).exists()


def test_apply_needs_sign_in(client):
    item = f.item()
    response = client.get(reverse("cases:item-apply", args=[item.implementation_code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_bundle_apply_creates_one_case_per_member(client):
    dept = f.department("江门市民政局")
    first = f.item(dept)
    second = f.item(dept, name="临时救助申请")
    bundle = f.bundle([first, second])
    identity = f.applicant()
    signed_in(client, identity)

    page = client.get(reverse("cases:bundle-apply", args=[bundle.code]))
    assert page.status_code == 200 and "临时救助申请" in page.content.decode()
    response = client.post(reverse("cases:bundle-apply", args=[bundle.code]))
    application = Application.objects.get(bundle=bundle)
    assert response["Location"] == reverse("cases:application", args=[application.public_id])
    client.post(reverse("cases:application", args=[application.public_id]), GOOD_FORM)
    upload_all(client, application)
    check_url = reverse("cases:check", args=[application.public_id])
    response = client.post(check_url, {"idempotency_key": idempotency_key(client.get(check_url))})
    assert response.status_code == 302

    cases = Case.objects.filter(application=application)
    assert sorted(c.item_id for c in cases) == sorted([first.pk, second.pk])
    bundle_case = BundleCase.objects.get(application=application)
    done = client.get(response["Location"]).content.decode()
    assert bundle_case.number in done and all(c.number in done for c in cases)
    progress = client.get(reverse("cases:bundle-detail", args=[bundle_case.number]))
    assert progress.status_code == 200
    assert all(c.number in progress.content.decode() for c in cases)


def test_someone_elses_draft_is_not_found(client):
    owner, other = f.applicant(), f.applicant()
    application = apply_through_pages(signed_in(Client(), owner), f.item())
    draft = f.applications.start(owner, item=application.item)
    signed_in(client, other)
    for name in ("application", "materials", "check", "done"):
        assert client.get(reverse(f"cases:{name}", args=[draft.public_id])).status_code == 404
    assert client.post(reverse("cases:discard", args=[draft.public_id])).status_code == 404


def test_agent_without_the_power_to_apply_is_told_what_to_do(client):
    grant = AgentGrantFactory(
        powers=["view_cases"], agent=PersonFactory(realname_level=RealNameLevel.ONLINE_VERIFIED)
    )
    client.force_login(grant.agent.user)
    session = client.session
    session[acting.SESSION_KEY] = grant.company.pk
    session.save()
    item = f.item()
    response = client.post(reverse("cases:item-apply", args=[item.implementation_code]))
    assert response.status_code == 403
    text = response.content.decode()
    assert f"您没有代“{grant.company.name}”申办事项的授权。" in text
    assert reverse("accounts:acting") in text
    assert not Application.objects.filter(item=item).exists()


def test_contact_and_delivery_are_checked_before_submission(client):
    signed_in(client, f.applicant())
    application = start(client, f.item())
    form_url = reverse("cases:application", args=[application.public_id])
    response = client.post(form_url, {**GOOD_FORM, "delivery": "post", "contact_phone": "12345"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "选择邮寄送达时，“邮寄地址”为必填项。" in text
    assert "“联系电话”须为11位手机号码。" in text and 'href="#id_contact_phone"' in text

    without = {k: v for k, v in GOOD_FORM.items() if k != "delivery"}
    client.post(form_url, {**without, "action": "later"})
    upload_all(client, application)
    check_url = reverse("cases:check", args=[application.public_id])
    page = client.get(check_url)
    assert "请选择“结果送达方式”。" in page.content.decode()
    response = client.post(check_url, {"idempotency_key": "a" * 8})
    assert response.status_code == 400
    assert not Case.objects.filter(application=application).exists()
