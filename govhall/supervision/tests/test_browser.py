"""The journey in chromium: a county case runs past its promised limit, one scan raises a
yellow and a red card for its department, the department disputes, the supervisor
rejects the dispute, the department rectifies and answers, the supervisor closes, and
the county's public disclosure changes; the pages pass axe-core and fit 390 px."""

from __future__ import annotations

import datetime

import pytest

from govhall.core.services import calendar
from govhall.regions.models import Post
from tests.browser.fixtures import (  # noqa: F401 (pytest fixtures)
    browser,
    fast_password_hashing,
    new_page,
    site,
    static_root_exists,
)
from tests.browser.helpers import PHONE, click_and_follow, describe_violations, run_axe, sign_in
from tests.factories import DEFAULT_PASSWORD

from ..models import Warning, WarningState
from ..services import detection
from . import helpers as h

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def act(page, slug: str, note: str) -> None:
    page.locator(f"#note-{slug}").fill(note)
    click_and_follow(page, page.locator(f"#action-{slug} button[type=submit]"))


def test_card_journey_and_disclosure(new_page, settings):  # noqa: F811
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    department = h.civil_affairs()
    today = detection.today()
    past = calendar.add_working_days(today - datetime.timedelta(days=14), 1).due_date
    h.local_record("BJ-1", department, "submit", "0", h.hours_ago(24 * 20), state="submitted")
    h.local_record(
        "BJ-1",
        department,
        "accept",
        "2",
        h.hours_ago(24 * 19),
        promised_due=past,
        statutory_due=calendar.add_working_days(today, 20).due_date,
    )
    detection.watch()
    detection.scan(today)
    red = Warning.objects.get(case_number="BJ-1", rule_code="SX03")
    assert Warning.objects.filter(case_number="BJ-1", rule_code="SX02").exists()
    clerk = h.staff(Post.CLERK, department)
    supervisor = h.supervisor_of("440700")
    period = f"{today:%Y-%m}"
    disclosure = f"/supervision/?region={h.PENGJIANG}&period={period}"
    found, wide = [], []

    public = new_page(viewport=PHONE)
    public.goto(disclosure)
    figures = public.locator("#disclosure-warnings")
    assert "红牌" in figures.inner_text()
    assert figures.locator(".sv-count").nth(2).locator("dd").inner_text() == "0"

    dept = new_page(viewport=PHONE)
    sign_in(dept, clerk.username, DEFAULT_PASSWORD)
    dept.goto("/workbench/supervision/")
    assert "超过承诺办结时限" in dept.locator("#warnings").inner_text()
    found.extend(("warnings", v) for v in run_axe(dept) if v["impact"] in BLOCKING)
    if overflow(dept) > 0:
        wide.append("warnings")
    click_and_follow(dept, dept.get_by_role("link", name="超过承诺办结时限"))
    found.extend(("warning", v) for v in run_axe(dept) if v["impact"] in BLOCKING)
    if overflow(dept) > 0:
        wide.append("warning")
    act(dept, "dispute", "申请人申请暂缓办理，附书面材料")
    assert dept.locator("#warning-state").inner_text() == "申辩待核"

    sup = new_page()
    sign_in(sup, supervisor.username, DEFAULT_PASSWORD)
    sup.goto(f"/workbench/supervision/warnings/{red.pk}/")
    act(sup, "reject-dispute", "未按规定办理暂停手续，申辩不成立")
    assert sup.locator("#warning-state").inner_text() == "整改中"

    dept.reload()
    act(dept, "answer", "已办结并向申请人致歉，增加到期提醒")
    assert dept.locator("#warning-state").inner_text() == "已反馈"

    sup.reload()
    act(sup, "close", "整改到位")
    assert sup.locator("#warning-state").inner_text() == "办结"
    trail = sup.locator("#trail").inner_text()
    for step in ("预警", "申辩", "驳回申辩", "反馈整改情况", "办结"):
        assert step in trail
    assert Warning.objects.get(pk=red.pk).state == WarningState.CLOSED

    public.goto(disclosure)
    figures = public.locator("#disclosure-warnings")
    assert figures.locator(".sv-count").nth(2).locator("dd").inner_text() == "1"
    assert figures.locator(".sv-count").nth(3).locator("dd").inner_text() == "50.0%"
    found.extend(("disclosure", v) for v in run_axe(public) if v["impact"] in BLOCKING)
    if overflow(public) > 0:
        wide.append("disclosure")
    public.goto("/supervision/complaints/new/")
    found.extend(("complaint form", v) for v in run_axe(public) if v["impact"] in BLOCKING)
    if overflow(public) > 0:
        wide.append("complaint form")

    for where in ("complaints", "follow-ups", "scores"):
        dept.goto(f"/workbench/supervision/{where}/")
        found.extend((where, v) for v in run_axe(dept) if v["impact"] in BLOCKING)
        if overflow(dept) > 0:
            wide.append(where)
    dept.goto(f"/workbench/supervision/scores/departments/{department.credit_code}/")
    found.extend(("score", v) for v in run_axe(dept) if v["impact"] in BLOCKING)
    public.goto("/supervision/complaints/track/")
    found.extend(("track", v) for v in run_axe(public) if v["impact"] in BLOCKING)
    if overflow(public) > 0:
        wide.append("track")

    assert not found, "axe-core violations:\n" + describe_violations(found)
    assert not wide, f"pages wider than 390 px: {wide}"
