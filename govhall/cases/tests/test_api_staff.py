"""The staff side of the API: a case from acceptance to conclusion, and refused actions."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from govhall.records.models import ProcessRecord
from govhall.regions.models import Post

from ..models import CaseState, CaseStep
from ..services import handling
from . import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(client, number, action, body=None):
    return client.post(
        f"/api/v1/staff/cases/{number}/actions/{action}", body or {}, content_type=JSON
    )


def test_accept_steps_decide_conclude_through_the_api():
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = (as_user(user) for user in f.handlers(dept))
    case = f.submitted(f.item(dept))
    inbox = clerk.get("/api/v1/staff/inbox/").json()
    assert [r["case_number"] for r in inbox["results"]] == [case.number]
    assert inbox["results"][0]["step"] == "受理"

    detail = clerk.get(f"/api/v1/staff/cases/{case.number}/").json()
    assert detail["my_task"] and detail["current_step"]["name"] == "受理"
    assert [a["action"] for a in detail["allowed_actions"]] == [
        "accept",
        "request-correction",
        "reject",
    ]
    assert {m["name"] for m in detail["materials"]} == {"申请书", "房屋租赁合同"}
    assert detail["materials"][0]["file"]["content_type"] == "application/pdf"
    assert "*" in detail["applicant_id_masked"]

    accepted = act(clerk, case.number, "accept", {"opinion": "材料齐全，予以受理"})
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["state"] == "in_progress" and body["current_step"]["name"] == "承办"
    assert body["promised_due"]
    assert [a["action"] for a in body["allowed_actions"]] == ["complete-step", "start-special"]

    assert act(clerk, case.number, "complete-step", {"opinion": "拟同意"}).status_code == 200
    # the reviewer's step may go back or forward, not be decided
    review = reviewer.get(f"/api/v1/staff/cases/{case.number}/").json()
    assert {"complete-step", "return-step"} <= {a["action"] for a in review["allowed_actions"]}
    assert "decide" not in {a["action"] for a in review["allowed_actions"]}
    assert act(reviewer, case.number, "complete-step", {"opinion": "审核通过"}).status_code == 200
    deny_without_reason = act(approver, case.number, "decide", {"decision": "deny"})
    assert deny_without_reason.status_code == 400
    assert deny_without_reason.json()["errors"][0] == {
        "field": "reason",
        "code": "required",
        "message": "不予许可必须说明理由。",
    }
    decided = act(approver, case.number, "decide", {"decision": "approve", "opinion": "同意"})
    assert decided.status_code == 200 and decided.json()["decision"] == "approve"
    post_without_tracking = act(clerk, case.number, "conclude", {"delivery": "post"})
    assert post_without_tracking.status_code == 400
    assert post_without_tracking.json()["errors"][0]["field"] == "tracking_number"
    concluded = act(clerk, case.number, "conclude", {"delivery": "electronic"})
    assert concluded.status_code == 200, concluded.content
    final = concluded.json()
    assert final["state"] == "concluded" and final["result_name"] == "低保证"
    assert [s["name"] for s in final["steps"]] == ["受理", "承办", "审核", "批准"]
    assert all(s["state"] == "done" and s["handler"] for s in final["steps"])
    events = ProcessRecord.objects.filter(case_number=case.number).values_list("event", flat=True)
    assert list(events) == [
        "submit",
        "accept",
        "complete_step",
        "complete_step",
        "decide",
        "conclude",
    ]
    assert clerk.get("/api/v1/staff/inbox/").json()["count"] == 0


def test_a_transition_not_allowed_is_409_with_the_chinese_message():
    dept = f.department("江门市民政局")
    approver = as_user(f.staff(Post.APPROVER, dept))
    case = f.submitted(f.item(dept))
    response = act(approver, case.number, "decide", {"decision": "approve"})
    assert response.status_code == 409
    (error,) = response.json()["errors"]
    assert error["field"] == "action" and error["code"] == "transition_not_allowed"
    assert error["message"] == f"办件{case.number}当前状态为“待受理”，不能“作出决定”。"
    assert ProcessRecord.objects.filter(case_number=case.number).count() == 1


def test_the_wrong_post_is_403_and_nothing_changes():
    dept = f.department("江门市民政局")
    reviewer = as_user(f.staff(Post.REVIEWER, dept))
    case = f.submitted(f.item(dept))
    detail = reviewer.get(f"/api/v1/staff/cases/{case.number}/").json()
    assert not detail["my_task"] and detail["allowed_actions"] == []
    response = act(reviewer, case.number, "accept")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "not_your_task"
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_correction_notice_and_special_procedure_bodies_are_checked():
    dept = f.department("江门市民政局")
    clerk_user = f.staff(Post.CLERK, dept)
    clerk = as_user(clerk_user)
    case = f.submitted(f.item(dept))
    bad = act(clerk, case.number, "request-correction", {"items": [{"name": "申请书"}]})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "items[0]"
    not_a_list = act(clerk, case.number, "request-correction", {"items": "申请书"})
    assert not_a_list.status_code == 400 and not_a_list.json()["errors"][0]["field"] == "items"
    issued = act(
        clerk,
        case.number,
        "request-correction",
        {"items": [{"material_code": "N:申请书", "name": "申请书", "problem": "未签名"}]},
    )
    assert issued.status_code == 200
    body = issued.json()
    assert body["state"] == "awaiting_correction"
    assert body["corrections"][0]["items"][0]["problem"] == "未签名"
    assert body["suspensions"][0]["kind"] == "correction"
    suspended = clerk.get("/api/v1/staff/inbox/", {"filter": "suspended"}).json()
    assert [r["case_number"] for r in suspended["results"]] == [case.number]
    assert clerk.get("/api/v1/staff/inbox/", {"filter": "overdue"}).json()["count"] == 0

    other = f.submitted(f.item(dept, name="临时救助申请"))
    handling.accept(other, clerk_user)
    kind = act(clerk, other.number, "start-special", {"kind": "party", "reason": "需要"})
    assert kind.status_code == 400 and "特别程序种类无效" in kind.json()["errors"][0]["message"]
    started = act(clerk, other.number, "start-special", {"kind": "hearing", "reason": "依申请听证"})
    assert started.status_code == 200 and started.json()["state"] == "suspended"
    ended = act(clerk, other.number, "end-special", {"result": "听证完毕"})
    assert ended.status_code == 200 and ended.json()["suspensions"][0]["result"] == "听证完毕"
    extend = act(clerk, other.number, "extend", {"days": 5, "reason": "情况复杂"})
    assert extend.status_code == 403 and extend.json()["errors"][0]["code"] == "approver_required"


def test_inbox_filters_and_case_list():
    dept = f.department("江门市民政局")
    clerk = as_user(f.staff(Post.CLERK, dept))
    late, soon = f.submitted(f.item(dept)), f.submitted(f.item(dept, name="临时救助申请"))
    today = timezone.localdate()
    CaseStep.objects.filter(case=late).update(due_date=today - datetime.timedelta(days=3))
    CaseStep.objects.filter(case=soon).update(due_date=today)
    overdue = clerk.get("/api/v1/staff/inbox/", {"filter": "overdue"}).json()["results"]
    assert [r["case_number"] for r in overdue] == [late.number] and overdue[0]["overdue"]
    due_soon = clerk.get("/api/v1/staff/inbox/", {"filter": "due_soon"}).json()["results"]
    assert [r["case_number"] for r in due_soon] == [soon.number]
    everything = clerk.get("/api/v1/staff/inbox/").json()["results"]
    assert [r["case_number"] for r in everything] == [late.number, soon.number]
    wrong = clerk.get("/api/v1/staff/inbox/", {"filter": "urgent"})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "filter"

    listed = clerk.get("/api/v1/staff/cases/", {"state": "submitted"}).json()
    assert {r["number"] for r in listed["results"]} == {late.number, soon.number}
    assert clerk.get("/api/v1/staff/cases/", {"state": "concluded"}).json()["count"] == 0
    assert clerk.get("/api/v1/staff/cases/", {"state": "done"}).status_code == 400
