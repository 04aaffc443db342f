"""Journey 1 (issue #5): a promised item (承诺件) applied for online, corrected once
(一次性告知), handled at two levels (county accepts and handles, city approves),
concluded with electronic delivery and rated — every step through the pages.
"""

import re

import pytest

from govhall.cases.models import Case, CaseState, Rating
from govhall.cases.services import clocks
from govhall.cases.tests import factories as f
from govhall.demo.files import blank_pdf
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    act,
    blocking_violations,
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    lead,
    offered_actions,
    open_from_inbox,
    page_messages,
    staff_page,
    summary_value,
    text_of,
)
from tests.browser.helpers import click_and_follow, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]

TWO_LEVEL_STEPS = [
    {"name": "承办", "post": "clerk", "time_limit_days": 3},
    {"name": "审核", "post": "reviewer", "time_limit_days": 3},
    {"name": "批准", "post": "approver", "time_limit_days": 2},  # department: the city's
]
CORRECTIONS = "section[aria-labelledby=corrections-title]"
PROBLEM = "合同未经双方签字，请上传签字后的完整合同"


def days_left(case: Case) -> str:
    """The remaining-days text the applicant should read, from the clock service."""
    remaining = clocks.remaining(Case.objects.get(pk=case.pk))
    assert remaining is not None and remaining > 0
    return f"还剩{remaining}个工作日"


def my_cases_state(page, number: str) -> str:
    page.goto("/my/cases/")
    row = page.locator("table tbody tr", has_text=number)
    assert row.count() == 1, f"{number} not under 我的办件"
    return text_of(row.locator("td[data-label='状态']"))


def test_online_application_corrected_handled_at_two_levels_concluded_and_rated(
    new_page, site, tmp_path
):
    county = f.dept_like("民政", f.PENGJIANG)
    city = f.department("江门市民政局")
    steps = [*TWO_LEVEL_STEPS[:2], {**TWO_LEVEL_STEPS[2], "department": city.credit_code}]
    item = f.item(county, name="特困人员供养申请", steps=steps)
    citizen = f.applicant(name="林小英")
    county_clerk = f.staff(Post.CLERK, county)
    county_reviewer = f.staff(Post.REVIEWER, county)
    city_approver = f.staff(Post.APPROVER, city)
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(blank_pdf())
    found: list = []

    # The citizen starts from the item's guide (办事指南) and applies online.
    me = citizen_page(new_page, site, citizen)
    me.goto(item.get_absolute_url())
    click_and_follow(me, me.get_by_role("link", name="在线申办"))
    assert text_of(me.locator("h1")) == "在线申办：特困人员供养申请"
    assert "承诺10个工作日内办结" in me.locator("main").inner_text()
    me.get_by_role("button", name="开始申办").click()
    me.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))
    me.get_by_label("家庭人口").fill("2")
    me.get_by_role("radio", name="否").check()
    me.get_by_label("联系电话").fill("13800138000")
    me.get_by_role("radio", name="电子送达").check()
    me.get_by_role("button", name="保存并继续").click()
    me.wait_for_url(re.compile(r"/materials/$"))
    for name in ("申请书", "房屋租赁合同"):
        me.get_by_label(f"上传文件：{name}").set_input_files(str(pdf))
        click_and_follow(me, me.get_by_role("button", name=re.compile(rf"^上传\s*：{name}$")))
        assert "已提供：材料.pdf" in text_of(me.get_by_role("region", name=name, exact=True))
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    assert summary_value(me, "家庭人口") == "2"
    assert summary_value(me, "居民户口簿").startswith("由大厅通过共享数据获取")
    assert summary_value(me, "结果送达方式") == "电子送达"
    me.get_by_role("button", name="确认并提交申请").click()
    me.wait_for_url(re.compile(r"/done/$"))
    case = Case.objects.get(item=item)
    assert text_of(me.locator(".case-number")) == case.number

    assert my_cases_state(me, case.number) == "待受理"
    click_and_follow(me, me.get_by_role("link", name=case.number))
    assert summary_value(me, "办理状态") == "待受理"
    assert summary_value(me, "办理部门") == county.name
    assert days_left(case) in summary_value(me, "受理期限")

    # The county clerk finds it in the inbox and sends a one-time correction notice.
    clerk = staff_page(new_page, county_clerk)
    row = open_from_inbox(clerk, case.number)
    assert (row["环节"], row["办理部门"]) == ("受理", county.name)
    assert "待受理" in lead(clerk)
    assert summary_value(clerk, "申请渠道") == "网上办事大厅"
    found += blocking_violations(clerk, "workbench case page")

    def correction(panel):
        panel.get_by_label("房屋租赁合同", exact=True).check()
        panel.get_by_label("“房屋租赁合同”的问题").fill(PROBLEM)
        panel.get_by_label("补充说明").fill("其余材料齐全。")

    act(clerk, case.number, "request_correction", "一次性告知补正", correction)
    assert "待补正" in lead(clerk)
    assert text_of(clerk.locator("#remaining")) == "暂停计时"
    assert "待申请人补正" in text_of(clerk.locator(CORRECTIONS))

    # The citizen sees the notice under 我的办件 and corrects online.
    assert my_cases_state(me, case.number) == "待补正"
    click_and_follow(me, me.get_by_role("link", name=case.number))
    notice = me.get_by_role("note").filter(has_text="请补正材料（一次性告知）")
    assert [text_of(li) for li in notice.locator("li").all()] == [f"房屋租赁合同：{PROBLEM}"]
    assert "其余材料齐全。" in text_of(notice)
    assert summary_value(me, "办理状态") == "待补正"
    found += blocking_violations(me, "portal case page with a correction notice")
    notice.get_by_role("link", name="提交补正材料").click()
    me.get_by_label("上传“房屋租赁合同”").set_input_files(str(pdf))
    me.get_by_label("补充说明（选填）").fill("已上传签字后的合同。")
    me.get_by_role("button", name="提交补正材料").click()
    me.wait_for_url(f"**{case.get_absolute_url()}")
    assert "补正材料已提交，受理时限重新计算。" in page_messages(me)
    assert summary_value(me, "办理状态") == "待受理"
    assert not me.get_by_role("note").filter(has_text="请补正材料").count()

    # The clerk sees the correction, accepts and handles 承办.
    clerk.reload()
    corrections = text_of(clerk.locator(CORRECTIONS))
    assert "已于" in corrections and "申请人说明：已上传签字后的合同。" in corrections
    act(clerk, case.number, "accept", "受理")
    assert "办理中" in lead(clerk) and f"当前环节：承办（{county.name}）" in lead(clerk)
    remaining = clocks.remaining(Case.objects.get(pk=case.pk))
    assert text_of(clerk.locator("#remaining")) == str(remaining)
    act(
        clerk,
        case.number,
        "complete_step",
        "承办完成",
        lambda p: p.get_by_label("办理意见（必填）").fill("符合特困人员认定条件"),
    )
    assert f"当前环节：审核（{county.name}）" in lead(clerk)
    assert not {"complete_step", "decide"} & set(offered_actions(clerk))  # the reviewer's now

    # The citizen follows: accepted, promised date and days left.
    me.reload()
    assert summary_value(me, "办理状态") == "办理中"
    assert summary_value(me, "当前环节") == "审核"
    assert days_left(case) in summary_value(me, "承诺办结日期")

    # The county reviewer passes it to the city.
    reviewer = staff_page(new_page, county_reviewer)
    row = open_from_inbox(reviewer, case.number)
    assert (row["环节"], row["办理部门"]) == ("审核", county.name)
    act(
        reviewer,
        case.number,
        "complete_step",
        "审核通过",
        lambda p: p.get_by_label("办理意见（必填）").fill("审核通过，报市局审批"),
    )
    assert f"当前环节：批准（{city.name}）" in lead(reviewer)

    # The city approver decides 准予.
    approver = staff_page(new_page, city_approver)
    row = open_from_inbox(approver, case.number)
    assert (row["环节"], row["办理部门"]) == ("批准", city.name)
    assert summary_value(approver, "实施部门") == county.name

    def approve(panel):
        panel.get_by_role("radio", name="准予").check()
        panel.get_by_label("审批意见").fill("同意")

    act(approver, case.number, "decide", "作出决定", approve)
    assert "已决定" in lead(approver)
    assert summary_value(approver, "审批决定") == "准予"

    # The county clerk concludes, delivering electronically.
    clerk.reload()
    assert "已决定" in lead(clerk)
    act(
        clerk,
        case.number,
        "conclude",
        "办结",
        lambda p: p.get_by_label("送达方式").select_option(label="电子送达"),
    )
    assert "已办结" in lead(clerk)

    # The citizen sees the result and rates the service.
    assert my_cases_state(me, case.number) == "已办结"
    click_and_follow(me, me.get_by_role("link", name=case.number))
    assert summary_value(me, "办理状态") == "已办结"
    assert "还剩" not in me.locator("main").inner_text()
    assert summary_value(me, "审批决定") == "准予"
    assert summary_value(me, "结果名称") == "低保证"
    assert summary_value(me, "送达方式") == "电子送达"
    done = [text_of(li) for li in me.locator("ol.timeline li .timeline-name").all()]
    assert done == ["受理", "承办", "审核", "批准"]
    me.get_by_role("radio", name="非常满意").check()
    click_and_follow(me, me.get_by_role("button", name="提交评价"))  # back to the same URL
    assert "感谢您的评价。" in page_messages(me)
    assert text_of(me.locator("section", has_text="我的评价")).startswith("我的评价 非常满意")
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.channel, rating.user_id) == (1, "pc", citizen.user.pk)
    assert Case.objects.get(pk=case.pk).state == CaseState.CONCLUDED

    assert not found, "axe-core violations:\n" + describe_violations(found)
