"""The warning's life through the API and the pages, and who sees what."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from govhall.core.models.audit import AuditEntry
from govhall.core.services import calendar
from govhall.regions.models import Post
from tests import common as f
from tests.common import user_client as signed_in

from ..models import Card, Warning, WarningState
from ..services import detection
from . import helpers as h

pytestmark = pytest.mark.django_db
API = "/api/v1/supervision/warnings"


@pytest.fixture
def warning():
    """A red card on a Pengjiang case of 蓬江区民政局, past its promised limit."""
    department = h.civil_affairs()
    today = detection.today()
    due = calendar.add_working_days(today - datetime.timedelta(days=10), 1).due_date
    h.local_record("W-1", department, "submit", "0", h.hours_ago(24 * 12), state="submitted")
    h.local_record(
        "W-1",
        department,
        "accept",
        "2",
        h.hours_ago(24 * 11),
        promised_due=due,
        statutory_due=calendar.add_working_days(today, 20).due_date,
    )
    detection.watch()
    detection.scan(today)
    return Warning.objects.get(case_number="W-1", rule_code="SX03")


@pytest.fixture
def chaozhou_warning():
    department = f.dept_like("民政", h.CHAOZHOU)
    h.local_record("C-1", department, "submit", "0", h.hours_ago(5))
    h.local_record(
        "C-1",
        department,
        "conclude",
        "4",
        h.hours_ago(4),
        state="concluded",
        details={"conclusion_code": "0"},
    )
    detection.watch()
    return Warning.objects.get(case_number="C-1")


@pytest.fixture
def clerk():
    return h.staff(Post.CLERK, h.civil_affairs())


@pytest.fixture
def supervisor():
    return h.supervisor_of("440700")


def test_list_shape_and_filters(warning, chaozhou_warning, supervisor):
    client = signed_in(supervisor)
    body = client.get(API, {"card": "red"}).json()
    numbers = [w["case_number"] for w in body["results"]]
    assert "W-1" in numbers and "C-1" not in numbers
    row = next(w for w in body["results"] if w["case_number"] == "W-1")
    assert row["id"] == warning.pk
    assert row["card"] == "red"
    assert row["rule"]["code"] == "SX03" and row["rule"]["name"] == "超过承诺办结时限"
    assert row["state"] == "raised" and row["due_date"] == warning.due_date.isoformat()
    assert row["trail"][0]["action"] == "raise"
    yellow = client.get(API, {"card": "yellow", "case_number": "W-1"}).json()["results"]
    assert [w["rule"]["code"] for w in yellow] == ["SX02"]
    assert (
        client.get(API, {"state": "open", "department": warning.department_code}).json()["count"]
        >= 1
    )


def test_bad_filters_are_named(supervisor):
    client = signed_in(supervisor)
    response = client.get(API, {"card": "blue", "state": "x"})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"card", "state"}
    assert "yellow" in response.json()["errors"][0]["message"]


def test_scope_jiangmen_never_sees_chaozhou(warning, chaozhou_warning, supervisor, clerk):
    client = signed_in(supervisor)
    assert client.get(f"{API}/{chaozhou_warning.pk}").status_code == 404
    assert client.get(API, {"region": h.CHAOZHOU}).status_code == 404
    assert client.get(f"/workbench/supervision/warnings/{chaozhou_warning.pk}/").status_code == 404
    # A department sees its own only.
    other = h.staff(Post.CLERK, f.dept_like("民政", h.CHAOZHOU))
    assert signed_in(other).get(f"{API}/{warning.pk}").status_code == 404
    mine = signed_in(clerk).get(API).json()
    assert {w["case_number"] for w in mine["results"]} == {"W-1"}
    # Citizens and anonymous callers are refused.
    citizen = f.applicant().user
    assert signed_in(citizen).get(API).status_code == 403
    assert Client().get(API).status_code in (401, 403)


def test_dispute_rejected_then_rectified_answered_closed(warning, clerk, supervisor):
    dept, sup = signed_in(clerk), signed_in(supervisor)
    url = f"{API}/{warning.pk}"
    # The supervisor cannot dispute for the department; the department cannot decide.
    assert (
        sup.post(f"{url}/dispute", {"note": "x"}, content_type="application/json").status_code
        == 403
    )
    response = dept.post(f"{url}/dispute", {}, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"
    response = dept.post(
        f"{url}/dispute", {"note": "申请人要求暂缓，附书面申请"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == "disputed"
    assert (
        dept.post(
            f"{url}/reject-dispute", {"note": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    response = sup.post(
        f"{url}/reject-dispute",
        {"note": "未办理暂停手续，申辩不成立"},
        content_type="application/json",
    )
    assert response.json()["state"] == "rectifying"
    assert dept.post(f"{url}/close", {}, content_type="application/json").status_code == 403
    # Closing before the answer is a state conflict.
    assert sup.post(f"{url}/close", {}, content_type="application/json").status_code == 409
    response = dept.post(
        f"{url}/answer",
        {"note": "已办结并向申请人致歉，完善期限提醒"},
        content_type="application/json",
    )
    assert response.json()["state"] == "answered"
    response = sup.post(f"{url}/close", {"note": "整改到位"}, content_type="application/json")
    body = response.json()
    assert body["state"] == "closed" and body["closed_at"]
    assert [t["action"] for t in body["trail"]] == [
        "raise",
        "dispute",
        "reject-dispute",
        "answer",
        "close",
    ]
    assert (
        AuditEntry.objects.filter(
            object_type="supervision.warning", object_id=str(warning.pk), action="transition"
        ).count()
        == 4
    )


def test_confirm_with_due_date_and_refusals(warning, clerk):
    dept = signed_in(clerk)
    url = f"{API}/{warning.pk}"
    yesterday = (detection.today() - datetime.timedelta(days=1)).isoformat()
    response = dept.post(
        f"{url}/confirm", {"note": "属实", "due_date": yesterday}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "due_date"
    assert Warning.objects.get(pk=warning.pk).state == WarningState.RAISED
    due = calendar.add_working_days(detection.today(), 5).due_date.isoformat()
    response = dept.post(
        f"{url}/confirm",
        {"note": "属实，已督促承办人", "due_date": due},
        content_type="application/json",
    )
    assert response.json()["state"] == "rectifying" and response.json()["due_date"] == due
    assert dept.post(f"{url}/fly", {}, content_type="application/json").status_code == 400


def test_pages_list_and_act(warning, clerk, supervisor):
    dept = signed_in(clerk)
    page = dept.get("/workbench/supervision/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "超过承诺办结时限" in text and "W-1" in text
    page = dept.get(f"/workbench/supervision/warnings/{warning.pk}/")
    assert "申辩" in page.content.decode()
    response = dept.post(f"/workbench/supervision/warnings/{warning.pk}/dispute/", {"note": ""})
    assert response.status_code == 400 and "请填写说明" in response.content.decode()
    response = dept.post(
        f"/workbench/supervision/warnings/{warning.pk}/dispute/", {"note": "已电话告知"}
    )
    assert response.status_code == 302
    assert Warning.objects.get(pk=warning.pk).state == WarningState.DISPUTED
    sup_page = signed_in(supervisor).get("/workbench/supervision/")
    assert "部门预警排名" in sup_page.content.decode()
    home = dept.get("/workbench/")
    assert "/workbench/supervision/" in home.content.decode()
    assert "黄牌 1 张、红牌 1 张" in home.content.decode()
    assert warning.card == Card.RED


def test_upheld_dispute_and_returned_answer(warning, clerk, supervisor):
    from ..services import workflow

    dept, sup = signed_in(clerk), signed_in(supervisor)
    url = f"{API}/{warning.pk}"
    dept.post(f"{url}/dispute", {"note": "已办理暂停，附审批表"}, content_type="application/json")
    assert (
        dept.post(
            f"{url}/accept-dispute", {"note": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    body = sup.post(
        f"{url}/accept-dispute", {"note": "暂停手续齐全，申辩成立"}, content_type="application/json"
    ).json()
    assert body["state"] == "dismissed" and body["closed_at"]
    # A dismissed card takes no further action.
    assert sup.post(f"{url}/close", {}, content_type="application/json").status_code == 409
    other = Warning.objects.create(
        rule=warning.rule,
        rule_code="SX02",
        card="yellow",
        category="time",
        case_number="W-1",
        implementation_code=warning.implementation_code,
        step_key="case-2",
        region_code=warning.region_code,
        department_code=warning.department_code,
        detail="测试",
        raised_at=warning.raised_at,
        due_date=warning.due_date,
    )
    workflow.take(clerk, other, "confirm", note="属实")
    workflow.take(clerk, other, "answer", note="已整改")
    assert (
        dept.post(
            f"{API}/{other.pk}/return", {"note": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    body = sup.post(
        f"{API}/{other.pk}/return", {"note": "整改不到位"}, content_type="application/json"
    ).json()
    assert body["state"] == "rectifying"
    # A hall administrator of the city sees the cards but may not decide them.
    admin = signed_in(h.staff(Post.HALL_ADMIN, f.department("江门市行政服务中心")))
    assert admin.get(url).status_code == 200
    assert (
        admin.post(f"{API}/{other.pk}/close", {}, content_type="application/json").status_code
        == 403
    )
