"""The case page and every staff action through its form, refusals shown in Chinese next
to the field, and a two-level flow (county accepts and handles, city approves)."""

import datetime

import pytest

from govhall.cases.models import CaseState, CorrectionNotice, Decision, Delivery, SuspensionKind
from govhall.cases.services import handling
from govhall.cases.tests import factories as f
from govhall.regions.models import Post

from .staff_support import (
    case_url,
    civil_affairs,
    clerk,
    field_error,
    reload,
    signed_in,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk")]


def post(client, case, action, data, follow=False):
    return client.post(case_url(case, action), data, follow=follow)


def test_case_page_shows_the_case_and_only_the_actions_my_post_may_take(client):
    dept = civil_affairs()
    identity = f.applicant(name="林小英")
    case = f.submitted(f.item(dept), identity)
    response = signed_in(client, clerk(dept)).get(case_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    person = identity.person
    assert person.masked_id_number in html and person.id_number not in html
    assert "林小英" in html and "网上办事大厅" in html  # applicant and channel
    assert "家庭人口" in html and "<dd>3</dd>" in html and "<dd>否</dd>" in html  # answers
    assert "受理期限" in html and case.acceptance_due.isoformat() in html
    assert '<td data-label="事件">申办</td>' in html  # the process record of the submission
    for action in ("accept", "request_correction", "reject"):
        assert f'action="{case_url(case, action)}"' in html
    assert 'id="id_request_correction-m0"' in html  # the material checklist
    assert "申请书" in html and "房屋租赁合同" in html

    # Files are served through the case's scope, never by a media URL.
    material = case.application.materials.exclude(file=None).first()
    link = f"/workbench/cases/{case.number}/files/{material.file.public_id}/"
    assert link in html and "/media/" not in html
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"

    # A reviewer of the department reads the case but has no action on the acceptance.
    client.force_login(staff(Post.REVIEWER, dept))
    html = client.get(case_url(case)).content.decode()
    assert case.number in html and "办理操作" not in html


def test_reject_needs_a_reason(client):
    dept = civil_affairs()
    case = f.submitted(f.item(dept))
    signed_in(client, clerk(dept))
    response = post(client, case, "reject", {"reject-reason": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "id_reject-reason") == "不予受理必须说明理由。"
    assert 'href="#id_reject-reason"' in html and "<title>错误：" in html
    assert reload(case).state == CaseState.SUBMITTED

    response = post(client, case, "reject", {"reject-reason": "不属于本部门职权"}, follow=True)
    assert f"办件{case.number}：已不予受理。" in response.content.decode()
    case = reload(case)
    assert case.state == CaseState.REJECTED and case.rejection_reason == "不属于本部门职权"


def test_correction_notice_lists_everything_at_once(client):
    dept = civil_affairs()
    case = f.submitted(f.item(dept))
    signed_in(client, clerk(dept))
    prefix = "request_correction"

    response = post(client, case, "request_correction", {f"{prefix}-m0": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, f"id_{prefix}-m0_problem") == "已勾选“申请书”，请写明需要补正的问题。"
    response = post(client, case, "request_correction", {})
    assert "补正告知须一次性列出全部需要补正的材料（至少一项）。" in response.content.decode()
    assert not CorrectionNotice.objects.filter(case=case).exists()

    data = {
        f"{prefix}-m2": "on",
        f"{prefix}-m2_problem": "缺少出租人签名",
        f"{prefix}-x0_name": "收入证明",
        f"{prefix}-x0_problem": "须加盖单位公章",
        f"{prefix}-note": "请一并提交",
    }
    response = post(client, case, "request_correction", data, follow=True)
    assert response.status_code == 200
    notice = CorrectionNotice.objects.get(case=case)
    assert notice.items == [
        {"material_code": "N:房屋租赁合同", "name": "房屋租赁合同", "problem": "缺少出租人签名"},
        {"material_code": "", "name": "收入证明", "problem": "须加盖单位公章"},
    ]
    assert notice.note == "请一并提交"
    assert reload(case).state == CaseState.AWAITING_CORRECTION
    html = response.content.decode()
    assert "缺少出租人签名" in html and "待申请人补正" in html and "暂停计时" in html


def test_every_handling_action_through_its_form(client):
    dept = civil_affairs()
    window, reviewer, approver = (
        clerk(dept),
        staff(Post.REVIEWER, dept),
        staff(Post.APPROVER, dept),
    )
    case = f.submitted(f.item(dept))

    signed_in(client, window)
    post(client, case, "accept", {"accept-opinion": ""}, follow=True)
    assert reload(case).state == CaseState.IN_PROGRESS
    response = post(client, case, "complete_step", {"complete_step-opinion": ""})
    assert field_error(response.content.decode(), "id_complete_step-opinion") == "请填写办理意见。"
    post(client, case, "complete_step", {"complete_step-opinion": "材料齐全，拟同意"})
    assert handling.current_step(case).name == "审核"

    client.force_login(reviewer)
    html = client.get(case_url(case)).content.decode()
    assert 'action="' + case_url(case, "return_step") + '"' in html
    assert 'action="' + case_url(case, "decide") + '"' not in html  # not the last step
    response = post(client, case, "start_special", {"start_special-reason": "需听证"})
    assert field_error(response.content.decode(), "id_start_special-kind") == "请选择特别程序种类。"
    post(
        client,
        case,
        "start_special",
        {
            "start_special-kind": SuspensionKind.HEARING,
            "start_special-reason": "利害关系人申请听证",
        },
    )
    assert reload(case).state == CaseState.SUSPENDED
    post(client, case, "end_special", {"end_special-result": "听证结束，无异议"})
    assert reload(case).state == CaseState.IN_PROGRESS
    assert case.suspensions.get(kind=SuspensionKind.HEARING).result == "听证结束，无异议"
    post(client, case, "return_step", {"return_step-opinion": "请补充核查收入"})
    assert handling.current_step(case).name == "承办"

    client.force_login(window)
    post(client, case, "complete_step", {"complete_step-opinion": "已核查收入"})
    client.force_login(reviewer)
    post(client, case, "complete_step", {"complete_step-opinion": "审核通过"})

    client.force_login(approver)
    html = client.get(case_url(case)).content.decode()
    assert 'action="' + case_url(case, "decide") + '"' in html
    assert 'action="' + case_url(case, "extend") + '"' in html
    response = post(client, case, "extend", {"extend-days": "20", "extend-reason": "需实地核查"})
    assert field_error(response.content.decode(), "id_extend-days") == (
        "延长天数须为1至10个工作日（法定最多延长10个工作日）。"
    )
    post(client, case, "extend", {"extend-days": "5", "extend-reason": "需实地核查"})
    assert reload(case).extension_days == 5
    response = post(client, case, "decide", {"decide-decision": Decision.DENY})
    assert response.status_code == 400
    assert field_error(response.content.decode(), "id_decide-reason") == "不予许可必须说明理由。"
    post(client, case, "decide", {"decide-decision": Decision.APPROVE, "decide-opinion": "同意"})
    assert reload(case).decision == Decision.APPROVE

    client.force_login(window)
    response = post(client, case, "conclude", {"conclude-delivery": Delivery.POST})
    assert field_error(response.content.decode(), "id_conclude-tracking_number") == (
        "邮寄送达须填写快递单号。"
    )
    post(client, case, "conclude", {"conclude-delivery": Delivery.PICKUP})
    case = reload(case)
    assert case.state == CaseState.CONCLUDED and case.delivery == Delivery.PICKUP
    response = post(client, case, "deliver", {"deliver-collected_by": "林小英"}, follow=True)
    case = reload(case)
    assert case.delivered_at is not None and case.visits == 1
    html = response.content.decode()
    assert "送达/领取登记" in html and "办件过程信息" in html
    events = html.count('<td data-label="事件">')
    assert events == case_records(case)


def case_records(case):
    from govhall.records.models import ProcessRecord

    return ProcessRecord.objects.filter(case_number=case.number).count()


def test_an_action_not_offered_to_me_comes_back_as_a_message(client):
    dept = civil_affairs()
    case = f.submitted(f.item(dept))
    signed_in(client, staff(Post.REVIEWER, dept))
    response = post(client, case, "accept", {}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said == [f"办件{case.number}当前环节不由您的岗位办理。"]
    assert reload(case).state == CaseState.SUBMITTED
    assert client.post(case_url(case, "no_such_action"), {}).status_code == 404
    assert client.get(case_url(case, "accept")).status_code == 405


def test_two_level_flow_county_accepts_and_handles_city_approves(client):
    county = civil_affairs(f.PENGJIANG)
    city = civil_affairs()
    item = f.item(
        county,
        name="特困人员认定",
        steps=[
            {"name": "承办", "post": "clerk", "time_limit_days": 3},
            {"name": "审核", "post": "reviewer", "time_limit_days": 3},
            {
                "name": "审批",
                "post": "approver",
                "time_limit_days": 2,
                "department": city.credit_code,
            },
        ],
    )
    case = f.submitted(item)
    county_clerk, county_reviewer = clerk(county), staff(Post.REVIEWER, county)
    city_approver = staff(Post.APPROVER, city)

    signed_in(client, city_approver)
    assert client.get(case_url(case)).status_code == 404  # not yet at the city

    client.force_login(county_clerk)
    assert case.number in client.get("/workbench/cases/").content.decode()
    post(client, case, "accept", {})
    post(client, case, "complete_step", {"complete_step-opinion": "符合条件"})
    client.force_login(county_reviewer)
    post(client, case, "complete_step", {"complete_step-opinion": "审核通过，报市局审批"})

    client.force_login(city_approver)
    html = client.get("/workbench/cases/").content.decode()
    assert case.number in html and "审批" in html and city.name in html
    page = client.get(case_url(case)).content.decode()
    assert 'action="' + case_url(case, "decide") + '"' in page
    assert 'action="' + case_url(case, "extend") + '"' not in page  # approver of the city only
    post(client, case, "decide", {"decide-decision": Decision.APPROVE, "decide-opinion": "同意"})
    case = reload(case)
    assert case.state == CaseState.DECIDED
    assert case.steps.get(name="审批").handler == city_approver
    assert case.steps.get(name="审批").department == city

    client.force_login(county_clerk)
    post(client, case, "conclude", {"conclude-delivery": Delivery.ELECTRONIC})
    assert reload(case).state == CaseState.CONCLUDED
    assert reload(case).department == county


def test_an_id_number_answered_in_the_form_is_masked_on_the_case_page(client):
    """A form's ID-number field (a spouse's, a child's) is personal data like the
    applicant's own: masked on the staff page as everywhere else."""
    from govhall.core.identifiers import make_id_number, mask_id_number

    dept = civil_affairs()
    form = [
        *f.FORM[:2],
        {"name": "spouse_id", "label": "配偶身份证号码", "type": "id_number", "required": False},
    ]
    item = f.item(dept, form_fields=form)
    spouse = make_id_number("440703", datetime.date(1988, 3, 4), 27)
    case = f.submitted(item, answers={"household_size": 2, "married": False, "spouse_id": spouse})
    html = signed_in(client, clerk(dept)).get(case_url(case)).content.decode()
    assert "配偶身份证号码" in html
    assert spouse not in html and mask_id_number(spouse) in html
