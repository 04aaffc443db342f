"""The assistant journey in a real browser (Debian chromium via Playwright), at 390 px:

a citizen asks for the materials of 蓬江区's 低保 guide and gets them with citations, asks
how long it takes and gets the limits of the same item, asks something the knowledge base
cannot answer and is handed to a consultant, who answers in a second browser context; the
reply reaches the citizen's page without a reload; the question is in the knowledge-base
queue, and once an answer is published the assistant gives it the next time.
"""

import re

import pytest
from playwright.sync_api import expect

from govhall.assistant.models import QueuedQuestion
from govhall.assistant.services import knowledge
from govhall.regions.models import Department, Post, Region
from tests.browser.case_helpers import staff_page
from tests.browser.helpers import PHONE, describe_violations, run_axe
from tests.common import staff

pytestmark = pytest.mark.browser
BLOCKING = {"serious", "critical"}
UNKNOWN = "政务大厅可以给电动车充电吗"


def check_page(page, where, problems):
    problems.extend((where, v) for v in run_axe(page) if v["impact"] in BLOCKING)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{where}: page scrolls sideways by {overflow}px"


def ask(page, question):
    page.get_by_label("您的问题").fill(question)
    page.get_by_role("button", name="提问").click()
    page.wait_for_url(re.compile(r"/halls/440703/assistant/"))


def test_ask_follow_up_hand_over_and_learn(demo, new_page):
    problems: list = []
    citizen = new_page(viewport=PHONE)
    citizen.goto("/halls/440703/")
    citizen.get_by_role("navigation", name="大厅导航").get_by_role("link", name="互动交流").click()
    expect(citizen.get_by_role("heading", name="智能客服", level=1)).to_be_visible()
    check_page(citizen, "chat", problems)

    ask(citizen, "在蓬江区申请低保要什么材料")
    latest = citizen.locator("#latest")
    expect(latest).to_contain_text("最低生活保障审批")
    expect(latest).to_contain_text("申请材料“最低生活保障申请书”")
    expect(latest.get_by_role("link", name=re.compile("依据：指南第1版")).first).to_be_visible()
    ask(citizen, "多久能办好")
    latest = citizen.locator("#latest")
    expect(latest).to_contain_text("承诺办结时限")
    expect(latest).to_contain_text("最低生活保障审批")
    check_page(citizen, "chat with answers", problems)

    ask(citizen, UNKNOWN)
    expect(citizen.locator("#latest")).to_contain_text("没有找到")
    citizen.locator("#latest").get_by_role("button", name="转人工咨询").click()
    citizen.wait_for_url(re.compile(r"/consultations/"))
    expect(citizen.locator("#consultation-state")).to_have_text("排队中")
    check_page(citizen, "consultation", problems)

    centre = Department.objects.get(region_id="440703", kind=Department.Kind.SERVICE_CENTRE)
    agent = staff(Post.CLERK, centre)
    desk = staff_page(new_page, agent)
    desk.goto("/workbench/consultations/")
    desk.get_by_role("link", name=re.compile(UNKNOWN[:10])).click()
    expect(desk.get_by_role("heading", name="群众与智能客服的对话")).to_be_visible()
    desk.get_by_role("button", name="接入").click()
    expect(citizen.locator("#consultation-state")).to_have_text("咨询中", timeout=5_000)
    desk.get_by_label("答复").fill("大厅一楼东侧设有电动车充电桩，免费使用。")
    desk.get_by_role("button", name="发送").click()
    # Delivered to the citizen's open page by polling, without a reload.
    expect(citizen.locator("#messages")).to_contain_text("充电桩", timeout=5_000)
    citizen.get_by_label("发送消息").fill("谢谢！")
    citizen.get_by_role("button", name="发送").click()
    expect(desk.locator("#messages")).to_contain_text("谢谢！", timeout=5_000)
    if problems:
        pytest.fail(describe_violations(problems))

    row = QueuedQuestion.objects.get(question=UNKNOWN)
    assert row.department == centre
    reviewer = staff(Post.HALL_ADMIN, centre)
    entry = knowledge.save_draft(
        agent,
        region=Region.objects.get(code="440703"),
        department=centre,
        question=UNKNOWN,
        answer="蓬江区政务服务中心一楼东侧设有电动车充电桩，办事群众可免费使用。",
        source=row,
    )
    knowledge.submit(entry, agent)
    knowledge.review(entry, reviewer, approve=True)
    later = new_page(viewport=PHONE, elder=True)  # and in elder mode
    later.goto("/halls/440703/assistant/")
    ask(later, UNKNOWN)
    expect(later.locator("#latest")).to_contain_text("免费使用")
    expect(later.locator("#latest")).not_to_contain_text("没有找到")
    elder: list = []
    check_page(later, "chat in elder mode", elder)
    if elder:
        pytest.fail(describe_violations(elder))
