"""Journey 2 (issue #5): the one-door counter (综合窗口) of 江门市行政服务中心 takes an
application for 江门市民政局's item; the case continues in that department's inbox
(前台综合受理、后台分类审批) and the citizen follows it under 我的办件.
"""

import re

import pytest

from govhall.cases.models import Case, CaseState, Channel
from govhall.cases.tests import factories as f
from govhall.demo.files import blank_pdf
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    act,
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    lead,
    open_from_inbox,
    page_messages,
    staff_page,
    summary_value,
    text_of,
)
from tests.browser.helpers import click_and_follow

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]


def test_counter_takes_another_departments_item_which_continues_online(new_page, site, tmp_path):
    centre = f.department("江门市行政服务中心")
    responsible = f.department("江门市民政局")
    item = f.item(responsible)
    citizen = f.applicant(name="陈阿婆")
    person = citizen.person
    window = f.staff(Post.CLERK, centre)
    dept_clerk = f.staff(Post.CLERK, responsible)
    dept_reviewer = f.staff(Post.REVIEWER, responsible)
    dept_approver = f.staff(Post.APPROVER, responsible)
    scan = tmp_path / "申请书扫描件.pdf"
    scan.write_bytes(blank_pdf())

    # The window clerk finds the person by ID number (shown masked from then on).
    desk = staff_page(new_page, window)
    desk.get_by_role("link", name="综合窗口").click()
    desk.wait_for_url("**/workbench/counter/")
    assert text_of(desk.locator("#counter-department")) == f"江门市 {centre.name}"
    desk.get_by_label("身份证号码").first.fill(person.id_number)
    click_and_follow(desk, desk.get_by_role("button", name="查找", exact=True))
    assert f"已找到办事人：陈阿婆（{person.masked_id_number}）。" in page_messages(desk)
    assert summary_value(desk, "身份证号码") == person.masked_id_number
    assert person.id_number not in desk.content()

    # ... picks the other department's item and takes the application.
    desk.get_by_label("事项名称").fill("最低生活保障")
    desk.get_by_role("button", name="查找事项").click()
    results = desk.locator("ul.item-results li")
    assert text_of(results) == f"{item.name} {responsible.name}"
    results.get_by_role("link", name=item.name).click()
    desk.wait_for_url(f"**/workbench/counter/items/{item.implementation_code}/")
    assert summary_value(desk, "实施部门") == responsible.name
    assert summary_value(desk, "收件窗口") == centre.name
    desk.get_by_label("家庭人口（必填）").fill("1")
    desk.get_by_role("radio", name="否").check()
    desk.get_by_label("“申请书”扫描件").set_input_files(str(scan))
    desk.get_by_label("“房屋租赁合同”纸质原件已核验").check()
    desk.get_by_label("联系电话（必填）").fill("13800138001")
    assert desk.get_by_label("材料齐全、符合法定形式，当场受理").is_checked()
    desk.get_by_role("button", name="提交收件").click()
    desk.wait_for_url(re.compile(r"/workbench/counter/taken/[0-9A-Za-z-]+/$"))
    case = Case.objects.get(item=item)
    assert text_of(desk.locator("#taken-number")) == case.number
    assert f"已收件，办件编号{case.number}。" in page_messages(desk)
    assert summary_value(desk, "状态") == "办理中"
    assert summary_value(desk, "实施部门") == responsible.name
    assert summary_value(desk, "到现场次数") == "1"

    # The citizen finds it under 我的办件 at once.
    me = citizen_page(new_page, site, citizen)
    me.goto("/my/cases/")
    row = me.locator("table tbody tr", has_text=case.number)
    assert text_of(row.locator("td[data-label='办理部门']")) == responsible.name
    assert text_of(row.locator("td[data-label='状态']")) == "办理中"

    # The responsible department's clerk handles 承办 from its inbox.
    clerk = staff_page(new_page, dept_clerk)
    row = open_from_inbox(clerk, case.number)
    assert (row["环节"], row["办理部门"], row["申请人"]) == ("承办", responsible.name, "陈阿婆")
    assert summary_value(clerk, "申请渠道") == "实体大厅窗口"
    assert summary_value(clerk, "受理窗口") == centre.name
    assert summary_value(clerk, "到现场次数") == "1"
    assert summary_value(clerk, "身份证号码") == person.masked_id_number
    materials = clerk.locator("section[aria-labelledby=materials-title] tbody tr")
    scanned = text_of(materials.filter(has_text="申请书"))
    assert "窗口扫描" in scanned and "查看 申请书扫描件.pdf" in scanned
    assert "纸质原件核验" in text_of(materials.filter(has_text="房屋租赁合同"))
    act(
        clerk,
        case.number,
        "complete_step",
        "承办完成",
        lambda p: p.get_by_label("办理意见（必填）").fill("材料齐全，拟同意"),
    )

    # Its reviewer and approver finish it online.
    reviewer = staff_page(new_page, dept_reviewer)
    assert open_from_inbox(reviewer, case.number)["环节"] == "审核"
    act(
        reviewer,
        case.number,
        "complete_step",
        "审核通过",
        lambda p: p.get_by_label("办理意见（必填）").fill("审核通过"),
    )
    approver = staff_page(new_page, dept_approver)
    assert open_from_inbox(approver, case.number)["环节"] == "批准"
    act(
        approver,
        case.number,
        "decide",
        "作出决定",
        lambda p: p.get_by_role("radio", name="准予").check(),
    )
    act(approver, case.number, "conclude", "办结")
    assert "已办结" in lead(approver)
    assert summary_value(approver, "送达方式") == "窗口领取"

    # The citizen sees it concluded, and that it came in through the counter.
    me.goto("/my/cases/")
    row = me.locator("table tbody tr", has_text=case.number)
    assert text_of(row.locator("td[data-label='状态']")) == "已办结"
    click_and_follow(me, row.get_by_role("link", name=case.number))
    assert summary_value(me, "办理状态") == "已办结"
    assert summary_value(me, "送达方式") == "窗口领取"
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.channel, stored.visits) == (
        CaseState.CONCLUDED,
        Channel.COUNTER,
        1,
    )
    # The applicant's pages show the channel (申请渠道) — REQUIREMENTS §5 "channel of
    # every application"; see the report if this fails.
    assert summary_value(me, "申请渠道") == "实体大厅窗口"
