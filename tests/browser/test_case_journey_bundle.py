"""Journey 3 (issue #5): one application for a bundle (一件事) of three items of three
departments fans out to three cases; each department completes its own in the
workbench, and the citizen's bundle view follows them until the bundle concludes.
"""

import re

import pytest
from django.utils import timezone

from govhall.cases.models import BundleCase, Case
from govhall.cases.tests import factories as f
from govhall.demo.files import blank_pdf
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    act,
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    lead,
    open_from_inbox,
    staff_page,
    summary_value,
    text_of,
)
from tests.browser.helpers import click_and_follow

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]

STEPS = [
    {"name": "审查", "post": "reviewer", "time_limit_days": 3},
    {"name": "批准", "post": "approver", "time_limit_days": 2},
]
MEMBERS = [
    ("江门市工商行政管理局", "个体工商户设立登记"),
    ("江门市食品药品监督管理局", "食品经营许可"),
    ("江门市公安局", "公共场所消防安全检查"),
]


def bundle_states(page, number: str) -> dict[str, str]:
    """Item name -> 办理状态, as the citizen's bundle view shows them."""
    page.goto(f"/my/bundles/{number}/")
    return {
        text_of(section.locator("h2")): summary_value(section, "办理状态")
        for section in page.locator("section.bundle-member").all()
    }


def complete_in_workbench(new_page, dept, number: str) -> None:
    """受理 by the clerk, 审查 by the reviewer, 准予 and 办结 by the approver."""
    clerk = staff_page(new_page, f.staff(Post.CLERK, dept))
    assert open_from_inbox(clerk, number)["办理部门"] == dept.name
    act(clerk, number, "accept", "受理")
    reviewer = staff_page(new_page, f.staff(Post.REVIEWER, dept))
    assert open_from_inbox(reviewer, number)["环节"] == "审查"
    act(
        reviewer,
        number,
        "complete_step",
        "审核通过",
        lambda p: p.get_by_label("办理意见（必填）").fill("符合条件"),
    )
    approver = staff_page(new_page, f.staff(Post.APPROVER, dept))
    assert open_from_inbox(approver, number)["环节"] == "批准"
    act(
        approver,
        number,
        "decide",
        "作出决定",
        lambda p: p.get_by_role("radio", name="准予").check(),
    )
    act(approver, number, "conclude", "办结")
    assert "已办结" in lead(approver)
    for page in (clerk, reviewer, approver):
        page.context.close()


def test_bundle_applied_once_handled_by_three_departments_concludes_together(
    new_page, site, tmp_path
):
    members = [(f.department(dept), name) for dept, name in MEMBERS]
    names = [name for _dept, name in members]
    bundle = f.bundle([f.item(dept, name=name, steps=STEPS) for dept, name in members])
    citizen = f.applicant(name="黄志明")
    pdf = tmp_path / "材料.pdf"
    pdf.write_bytes(blank_pdf())

    # One application: the members and their departments, one form, materials once.
    me = citizen_page(new_page, site, citizen)
    me.goto(f"/bundles/{bundle.code}/apply/")
    assert text_of(me.locator("h1")) == "在线申办：我要开餐馆"
    for dept, name in members:
        member = me.get_by_label(re.compile(rf"^{name}"))
        assert member.is_checked() and member.is_disabled()  # 必办
        assert dept.name in text_of(me.locator("label", has_text=name))
    me.get_by_role("button", name="开始申办").click()
    me.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))
    assert me.get_by_label("家庭人口").count() == 1  # shared questions asked once
    me.get_by_label("家庭人口").fill("4")
    me.get_by_role("radio", name="否").check()
    me.get_by_label("联系电话").fill("13800138002")
    me.get_by_role("radio", name="电子送达").check()
    me.get_by_role("button", name="保存并继续").click()
    me.wait_for_url(re.compile(r"/materials/$"))
    for name in ("申请书", "房屋租赁合同"):
        section = me.get_by_role("region", name=name, exact=True)
        assert "用于：" + "、".join(names) in text_of(section)
        me.get_by_label(f"上传文件：{name}").set_input_files(str(pdf))
        click_and_follow(me, me.get_by_role("button", name=re.compile(rf"^上传\s*：{name}$")))
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    me.get_by_role("button", name="确认并提交申请").click()
    me.wait_for_url(re.compile(r"/done/$"))
    bundle_case = BundleCase.objects.get(bundle=bundle)
    cases = {c.item_name: c for c in Case.objects.filter(bundle_case=bundle_case)}
    assert text_of(me.locator(".case-number")) == bundle_case.number
    listed = [text_of(li) for li in me.locator("main ul li", has_text="（").all()]
    for dept, name in members:
        assert f"{name}：{cases[name].number}（{dept.name}，待受理）" in listed

    me.get_by_role("link", name="查看“一件事”办理进度").click()
    me.wait_for_url(f"**/my/bundles/{bundle_case.number}/")
    assert "3个事项由各部门同步办理" in text_of(me.locator("main p.lead"))
    assert bundle_states(me, bundle_case.number) == dict.fromkeys(names, "待受理")

    # Each department completes its own case; the bundle waits for the last one.
    for dept, name in members[:2]:
        complete_in_workbench(new_page, dept, cases[name].number)
    states = bundle_states(me, bundle_case.number)
    assert states == {names[0]: "已办结", names[1]: "已办结", names[2]: "待受理"}
    assert "全部事项已于" not in text_of(me.locator("main p.lead"))

    last_dept, last_name = members[2]
    complete_in_workbench(new_page, last_dept, cases[last_name].number)
    assert bundle_states(me, bundle_case.number) == dict.fromkeys(names, "已办结")
    today = timezone.localdate().isoformat()
    assert text_of(me.locator("main p.lead")) == f"全部事项已于{today}办结。"
    assert BundleCase.objects.get(pk=bundle_case.pk).is_concluded
