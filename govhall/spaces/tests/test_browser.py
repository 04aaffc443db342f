"""The company page on a phone: the renewal push with its reason, switched off, never
again; the correction reminder once; the data-use page. No horizontal scrolling, no
serious accessibility violation."""

import datetime
import os

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.services import acting
from govhall.cases.services import handling
from govhall.cases.tests import factories as f
from govhall.core.services import calendar
from govhall.regions.models import Post
from tests.browser.fixtures import (  # noqa: F401  (the shared chromium and live server)
    browser,
    fast_password_hashing,
    new_page,
    site,
    static_root_exists,
)
from tests.browser.helpers import PHONE, describe_violations, run_axe

from ..models import Push, PushKind, Reminder
from ..services import push, reminders
from .helpers import company_licence
from .test_pushes import renewal_rule


def check_page(page, where: str, found: list) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), where
    found += [(where, v) for v in run_axe(page) if v["impact"] in {"serious", "critical"}]


def signed_in_page(request, identity=None, *, user=None, elder=False):
    open_page = request.getfixturevalue("new_page")
    client = Client()
    client.force_login(user or identity.user)
    if identity is not None and identity.company is not None:
        session = client.session
        session[acting.SESSION_KEY] = identity.company.pk
        session.save()
    page = open_page(viewport=PHONE, elder=elder)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": cookie,
                "url": request.getfixturevalue("site"),
            }
        ]
    )
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_renewal_push_switched_off_and_a_correction_reminder_once_on_a_phone(request, settings):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = request.getfixturevalue("tmp_path")
    request.getfixturevalue("site")
    agent = f.company_agent()
    on = timezone.localdate()
    licence = company_licence(agent.company, valid_until=on + datetime.timedelta(days=80))
    renewal_rule()
    push.scan(on=on)
    found: list = []
    page = signed_in_page(request, agent)
    page.goto(reverse("spaces:home"))
    check_page(page, "company page", found)
    until = licence.current.valid_until
    reason = f"因为您的食品经营许可证将于{until:%Y年%m月%d日}到期"
    assert page.get_by_text(reason).is_visible()
    assert page.get_by_text("80天后到期").is_visible()

    page.get_by_role("link", name="提醒与推送设置").click()
    page.wait_for_url(f"**{reverse('spaces:settings')}")
    check_page(page, "settings", found)
    page.get_by_label("证照延续提醒").uncheck()
    page.get_by_role("button", name="保存设置").click()
    page.get_by_text("设置已保存。").wait_for()

    company_licence(agent.company, valid_until=on + datetime.timedelta(days=60))
    assert push.scan(on=on).total == 0
    assert Push.objects.filter(user=agent.user, kind=PushKind.RENEWAL).count() == 1

    # a correction due in one working day: reminded once, however often the scan runs
    dept = f.department("江门市民政局")
    case = f.submitted(f.item(audiences=["1", "2"], name="企业测试事项"), agent)
    handling.request_correction(
        case, f.staff(Post.CLERK, dept), items=[{"name": "申请书", "problem": "未盖章"}]
    )
    due = reminders.correction_due(case.corrections.get())
    day = due - datetime.timedelta(days=1)
    while calendar.remaining_working_days(day, due) != 1:
        day -= datetime.timedelta(days=1)
    reminders.scan(on=day)
    reminders.scan(on=day)
    assert Reminder.objects.filter(user=agent.user, kind="correction_due").count() == 1
    page.goto(reverse("spaces:home"))
    check_page(page, "company page with reminder", found)
    assert page.get_by_text(f"请于{due:%Y年%m月%d日}前补正材料").count() >= 1
    assert page.get_by_text("还剩1个工作日").count() >= 1
    assert page.get_by_role("link", name="补正材料").is_visible()

    page.goto(reverse("spaces:data-reads"))
    check_page(page, "data use", found)

    elder = signed_in_page(request, agent, elder=True)
    elder.goto(reverse("spaces:home"))
    check_page(elder, "company page, elder mode", found)

    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    admin = signed_in_page(request, user=f.staff(Post.HALL_ADMIN, dept))
    admin.goto(reverse("spaces:indicators"))
    check_page(admin, "indicators", found)
    assert admin.get_by_role("rowheader", name="江门市").is_visible()
    assert not found, describe_violations(found)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_household_grant_on_a_phone_and_the_members_items_on_the_holders_page(request, settings):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = request.getfixturevalue("tmp_path")
    request.getfixturevalue("site")
    mother, son = f.applicant(name="陈阿婆"), f.applicant(name="陈小明")
    case = f.submitted(f.item(name="高龄老人津贴申领"), mother)
    found: list = []
    page = signed_in_page(request, mother)
    page.goto(reverse("spaces:household"))
    check_page(page, "household", found)
    page.get_by_label("被授权人姓名").fill("陈小明")
    page.get_by_label("被授权人身份证号码").fill(son.person.id_number)
    page.get_by_label("与您的关系").select_option(label="子女")
    until = timezone.localdate() + datetime.timedelta(days=365)
    page.get_by_label("授权有效期至").fill(until.isoformat())
    page.get_by_role("button", name="授权", exact=True).click()
    page.get_by_text("已授权。").wait_for()
    assert page.get_by_role("button", name="终止授权 陈小明").is_visible()

    holder = signed_in_page(request, son, elder=True)
    holder.goto(reverse("spaces:home"))
    check_page(holder, "holder's page, elder mode", found)
    section = holder.get_by_role("region", name="家庭成员的事项")
    assert section.get_by_text("陈阿婆（子女）").is_visible()
    assert section.get_by_text(case.number).is_visible()
    assert not found, describe_violations(found)
