"""信息主动推送: matched to the profile, with its reason, once, and never once switched off."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.tests.factories import PersonFactory
from govhall.cases.models import Notification
from govhall.cases.tests import factories as f
from govhall.core.identifiers import make_id_number
from govhall.licences.tests import factories as lf

from .. import jobs
from ..models import CompanyProfile, Push, PushKind, PushRule
from ..services import preferences, push
from .helpers import COMPANY_TYPE, _private_media, company_licence, signed_in  # noqa: F401

pytestmark = pytest.mark.django_db


def renewal_rule():
    return PushRule.objects.create(
        code="food-licence-renewal",
        kind=PushKind.RENEWAL,
        audience="company",
        title="食品经营许可延续",
        body="许可证有效期届满需要继续经营的，应在届满前申请延续。",
        reason="因为您的{licence}将于{valid_until}到期",
        link="/items/",
        licence_type_code=COMPANY_TYPE,
        days_before_expiry=90,
    )


def test_a_licence_expiring_in_80_days_brings_its_renewal_once_and_never_after_opting_out():
    agent = f.company_agent()
    on = timezone.localdate()
    licence = company_licence(agent.company, valid_until=on + datetime.timedelta(days=80))
    renewal_rule()
    first = push.scan(on=on)
    assert first.sent == {PushKind.RENEWAL: 1}
    (sent,) = Push.objects.filter(user=agent.user)
    until = licence.current.valid_until
    assert sent.reason == f"因为您的食品经营许可证将于{until:%Y年%m月%d日}到期"
    assert sent.company == agent.company and sent.notification is not None
    assert sent.reason in Notification.objects.get(pk=sent.notification_id).body
    assert push.scan(on=on).total == 0  # at most once

    html = signed_in(agent).get(reverse("spaces:home")).content.decode()
    assert "食品经营许可延续" in html and sent.reason in html

    # switched off: a second licence of the same kind brings nothing
    preferences.save(agent.user, reminders=True, sms=True, pushes_off=[PushKind.RENEWAL])
    company_licence(agent.company, valid_until=on + datetime.timedelta(days=60))
    later = push.scan(on=on)
    assert later.total == 0 and later.switched_off == 1
    assert Push.objects.filter(user=agent.user).count() == 1


def test_age_and_region_rules_reach_only_the_people_they_describe():
    PushRule.objects.create(
        code="elderly-allowance",
        kind=PushKind.SERVICE,
        audience="person",
        title="高龄老人津贴申领",
        body="年满80周岁的户籍老年人可申领高龄津贴。",
        reason="因为您已年满{age}周岁，户籍在{region}",
        min_age=80,
        region_prefix="4407",
    )
    on = timezone.localdate()
    old = PersonFactory(id_number=make_id_number("440703", datetime.date(1940, 3, 1), 101))
    PersonFactory(id_number=make_id_number("440703", datetime.date(1990, 3, 1), 102))
    PersonFactory(id_number=make_id_number("445102", datetime.date(1930, 3, 1), 103))
    push.scan(on=on)
    (sent,) = Push.objects.all()
    age = on.year - 1940 - ((on.month, on.day) < (3, 1))
    assert sent.user == old.user and sent.reason.startswith(f"因为您已年满{age}周岁，户籍在")


def test_company_rules_match_industry_from_the_profile():
    PushRule.objects.create(
        code="catering-annual-report",
        kind=PushKind.POLICY,
        audience="company",
        title="餐饮企业年度报告公示",
        body="每年1月1日至6月30日报送上一年度年度报告。",
        reason="因为贵企业属于{industry}行业",
        industry="餐饮业",
    )
    catering, other = f.company_agent(), f.company_agent()
    CompanyProfile.objects.create(company=catering.company, industry="餐饮业")
    CompanyProfile.objects.create(company=other.company, industry="制造业")
    push.scan()
    (sent,) = Push.objects.all()
    assert sent.company == catering.company and sent.reason == "因为贵企业属于餐饮业行业"


def test_a_concluded_case_brings_the_next_service_with_why_and_opening_is_recorded():
    dept = f.department("江门市民政局")
    follow_on = f.item(dept, name="临时救助申请")
    first = f.item(
        dept,
        name="最低生活保障审核确认",
        relations=[{"kind": "follow_on", "target": follow_on.implementation_code}],
    )
    me = f.applicant()
    lf.concluded_case(dept, me, first)
    jobs.send_pushes()
    (sent,) = Push.objects.filter(user=me.user)
    assert sent.kind == PushKind.NEXT_SERVICE and sent.title == "下一步可办理：临时救助申请"
    assert "最低生活保障审核确认" in sent.reason and "通常接着办理" in sent.reason
    client = signed_in(me)
    html = client.get(reverse("spaces:home")).content.decode()
    assert "下一步可办理：" in html and follow_on.get_absolute_url() in html
    response = client.post(reverse("spaces:push-open", args=[sent.pk]))
    assert response.status_code == 302 and response["Location"] == sent.link
    sent.refresh_from_db()
    assert sent.opened_at is not None
    # someone else cannot open it
    other = signed_in(f.applicant())
    assert other.post(f"/api/v1/my/space/pushes/{sent.pk}/open").status_code == 404


def test_policy_news_of_a_theme_reaches_only_its_subscribers_and_the_settings_keep_them():
    from govhall.catalog.services import themes

    themes.upsert_theme(code="c04", name="年检年审", audience="company", sort_order=4)
    PushRule.objects.create(
        code="annual-report-2027",
        kind=PushKind.POLICY,
        audience="person",
        title="2026年度报告报送开始",
        body="1月1日至6月30日报送上一年度年度报告。",
        reason="因为您订阅了“{theme}”政策资讯",
        theme_code="c04",
    )
    follower, other = f.applicant(), f.applicant()
    client = signed_in(follower)
    page = client.get(reverse("spaces:settings")).content.decode()
    assert "订阅以下主题的政策资讯" in page and "年检年审（面向法人）" in page
    response = client.post(
        reverse("spaces:settings"),
        {"reminders": "on", "pushes": ["service", "policy", "renewal"], "themes": ["c04"]},
    )
    assert response.status_code == 302
    push.scan()
    (sent,) = Push.objects.filter(kind=PushKind.POLICY)
    assert sent.user == follower.user and sent.reason == "因为您订阅了“年检年审”政策资讯"
    assert not Push.objects.filter(user=other.user).exists()

    # the API reads and keeps them; an unknown theme is refused by name
    body = client.get("/api/v1/my/space/preferences").json()
    assert body["themes"] == ["c04"]
    kept = client.put(
        "/api/v1/my/space/preferences",
        {"reminders": True, "sms": True, "pushes_off": []},
        content_type="application/json",
    )
    assert kept.status_code == 200 and kept.json()["themes"] == ["c04"]
    bad = client.put(
        "/api/v1/my/space/preferences",
        {"reminders": True, "sms": True, "pushes_off": [], "themes": ["z99"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    (error,) = bad.json()["errors"]
    assert error["field"] == "themes" and "z99" in error["message"]
    # unsubscribing stops the next rule of the theme
    preferences.save(follower.user, reminders=True, sms=True, pushes_off=[], themes=[])
    PushRule.objects.create(
        code="annual-report-late",
        kind=PushKind.POLICY,
        audience="person",
        title="年报补报",
        body="未按期报送的可补报。",
        reason="因为您订阅了“{theme}”政策资讯",
        theme_code="c04",
    )
    assert push.scan().total == 0
