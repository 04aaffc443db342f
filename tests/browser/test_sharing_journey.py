"""Journey (issue 20, points 2 and 3): a county civil-affairs department requests the
婚姻登记 fields of the population library for 最低生活保障 handling; the provincial civil
affairs department that owns them approves; a citizen applies for 低保 without uploading
the marriage document; the clerk sees the shared data with its source; the citizen sees
the read in "谁用了我的数据"; after the owner revokes the approval the next application
asks for the document, saying why.
"""

import re

import pytest
from playwright.sync_api import expect

from govhall.baselib.services import definitions, updates
from govhall.cases.models import Case
from govhall.cases.tests import factories as cf
from govhall.regions.models import Department, Post
from govhall.sharing.models import Approval, SharedRead
from govhall.sharing.tests.support import county, marriage_resource, owner
from tests.browser.case_helpers import (
    blocking_violations,
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    staff_page,
    text_of,
)
from tests.browser.helpers import click_and_follow, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]

ITEM = "最低生活保障审批"
MARRIAGE = {
    "code": "M02",
    "name": "婚姻状况证明",
    "required": True,
    "source": "shared",
    "media": "electronic",
    "shared_data_source": "人口库婚姻登记信息（RK-HYDJ:婚姻状况,配偶姓名）",
}


def _in_the_population_library(person) -> None:
    """Public security registers the citizen; civil affairs sends the marriage."""
    definitions.ensure()
    police = Department.objects.get(region_id="440000", name="广东省公安厅")
    results = updates.ingest(
        [
            {
                "record_ref": f"GA-HJ-{person.id_number[-8:]}",
                "department": police.credit_code,
                "subject_kind": "person",
                "key": person.id_number,
                "as_of": "2003-07-01T09:00:00+08:00",
                "values": {"name": person.name, "household_region": "440703"},
            },
            {
                "record_ref": "J440703-2012-003187",
                "department": owner().credit_code,
                "subject_kind": "person",
                "key": person.id_number,
                "as_of": "2012-10-08T10:30:00+08:00",
                "values": {"marital_status": "21", "spouse_name": "李秀英"},
            },
        ]
    )
    assert [r.status for r in results] == ["applied", "applied"], results


def _apply(me, item) -> None:
    me.goto(item.get_absolute_url())
    me.get_by_role("link", name="在线申办").click()
    me.get_by_role("button", name="开始申办").click()
    me.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))
    me.get_by_label("联系电话").fill("13800138000")
    me.get_by_role("radio", name="电子送达").check()
    me.get_by_role("button", name="保存并继续").click()
    me.wait_for_url(re.compile(r"/materials/$"))


def test_shared_marriage_data_replaces_the_document_until_revoked(new_page, site):
    marriage_resource()
    requester, provider = county(), owner()
    item = cf.item(requester, name=ITEM, materials=[MARRIAGE], form_fields=[])
    citizen = cf.applicant(name="陈志明")
    _in_the_population_library(citizen.person)
    violations = []

    # The county civil-affairs clerk requests the two 婚姻登记 items for 低保 handling.
    county_clerk = cf.staff(Post.CLERK, requester)
    desk = staff_page(new_page, county_clerk)
    desk.goto("/workbench/sharing/")
    violations += blocking_violations(desk, "共享目录")
    desk.locator("#catalogue").get_by_role("link", name=re.compile("申请")).first.click()
    desk.wait_for_url(re.compile(r"/workbench/sharing/request/\?resource=RK-HYDJ"))
    desk.get_by_label("婚姻状况").check()
    desk.get_by_label("配偶姓名").check()
    desk.get_by_label("使用用途").fill(ITEM)
    desk.get_by_label("申请依据").fill("《社会救助暂行办法》（国务院令第649号）第十一条")
    violations += blocking_violations(desk, "申请共享数据")
    desk.get_by_role("button", name="提交申请").click()
    desk.wait_for_url(re.compile(r"/workbench/sharing/approvals/[0-9a-f-]{36}/$"))
    assert text_of(desk.locator("#approval-status")) == "待审核"
    assert text_of(desk.locator("#approval-fields")) == "婚姻状况、配偶姓名"

    # The provincial civil affairs department, which owns the marriage data, approves.
    decider = cf.staff(Post.APPROVER, provider)
    boss = staff_page(new_page, decider)
    boss.goto("/workbench/sharing/")
    boss.locator("#incoming").get_by_role("link", name=requester.name).click()
    boss.wait_for_url(re.compile(r"/workbench/sharing/approvals/"))
    violations += blocking_violations(boss, "共享申请审核")
    boss.get_by_role("button", name="同意共享").click()
    expect(boss.locator("#approval-status")).to_have_text("已同意")
    approval_url = boss.url

    # The citizen applies for 低保 and uploads nothing: the hall fetches the marriage data.
    me = citizen_page(new_page, site, citizen)
    _apply(me, item)
    section = me.locator("section.material", has_text="婚姻状况证明")
    assert "由大厅通过共享数据获取，无需提交" in text_of(section)
    assert "广东省民政厅" in text_of(section)
    assert section.locator("input[type=file]").count() == 0
    violations += blocking_violations(me, "提供材料（共享获取）")
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    me.get_by_role("button", name="确认并提交申请").click()
    me.wait_for_url(re.compile(r"/done/$"))
    case = Case.objects.get(item=item)
    assert not case.application.materials.filter(file__isnull=False).exists()
    read = SharedRead.objects.get(case_number=case.number, outcome="returned")

    # The county clerk sees the data itself, with its source and time — not a scan.
    desk.goto(f"/workbench/cases/{case.number}/")
    card = text_of(desk.locator(".shared-record"))
    assert "婚姻状况" in card and "初婚" in card and "李秀英" in card
    assert "数据来源：广东省民政厅" in card and "2012-10-08" in card
    violations += blocking_violations(desk, "办件页（共享数据）")

    # The citizen sees the read: which department, for which case, which items.
    me.goto("/my/space/data-use/")
    rows = text_of(me.locator("main"))
    assert requester.name in rows and case.number in rows and "婚姻状况" in rows
    violations += blocking_violations(me, "谁用了我的数据")

    # Both ends see the read in their logs.
    boss.goto("/workbench/sharing/")
    log = text_of(boss.locator("#reads"))
    assert case.number in log and requester.name in log and read.subject_masked in log

    # The owner revokes; the next application asks for the document and says why.
    boss.goto(approval_url)
    boss.get_by_label("撤销理由").fill("低保核查改由线下比对")
    boss.get_by_role("button", name="撤销授权").click()
    expect(boss.locator("#approval-status")).to_have_text("已撤销")
    assert Approval.objects.get().status == Approval.Status.REVOKED
    _apply(me, item)
    section = me.locator("section.material", has_text="婚姻状况证明")
    reason = text_of(section.locator(".shared-reason"))
    assert "撤销" in reason and "请上传“婚姻状况证明”" in reason
    assert section.locator("input[type=file]").count() == 1
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    # the check page lists it as missing, with the same reason, and offers no submission
    row = text_of(me.locator(".check-row", has_text="婚姻状况证明"))
    assert "未提供" in row and "撤销" in row
    assert me.get_by_role("button", name="确认并提交申请").count() == 0
    violations += blocking_violations(me, "核对（需上传）")
    assert not violations, describe_violations(violations)
