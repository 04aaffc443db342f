"""我要投诉: filing (anonymous with a verified phone, or signed in), routing by level,
the complainant's view, the answer and its rating, overdue → warning, and scope."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from govhall.accounts.tests.helpers import last_code
from govhall.core.services import calendar
from govhall.regions.models import Department, Post
from tests import common as f
from tests.common import user_client as signed_in

from ..models import Complaint, ComplaintState, Warning
from ..services import complaints, detection
from . import helpers as h

pytestmark = pytest.mark.django_db
MOBILE = "13912345678"


@pytest.fixture
def case_number():
    department = h.civil_affairs()
    h.local_record("K-1", department, "submit", "0", h.hours_ago(30))
    h.local_record("K-1", department, "accept", "2", h.hours_ago(29))
    detection.watch()
    return "K-1"


def file_anonymously(client: Client, **body):
    assert (
        client.post(
            "/api/v1/complaints/sms-code", {"phone": MOBILE}, content_type="application/json"
        ).status_code
        == 202
    )
    payload = {"phone": MOBILE, "sms_code": last_code(MOBILE), **body}
    return client.post("/api/v1/complaints", payload, content_type="application/json")


def test_anonymous_complaint_routed_answered_rated(case_number):
    public = Client()
    response = file_anonymously(
        public,
        subject="case",
        case_number=case_number,
        content="窗口人员要求提供指南以外的证明材料。",
    )
    assert response.status_code == 201, response.json()
    filed = response.json()
    assert filed["routed_to"] == "蓬江区民政局"
    today = detection.today()
    assert filed["due_date"] == calendar.add_working_days(today, 10).due_date.isoformat()
    complaint = Complaint.objects.get(number=filed["number"])
    assert complaint.anonymous and complaint.phone_masked == "139****5678"
    assert MOBILE not in str(Complaint.objects.filter(pk=complaint.pk).values().first())
    # The complainant's view needs the matching query code.
    url = f"/api/v1/complaints/{filed['number']}"
    assert public.get(url, {"query_code": "WRONG123"}).status_code == 404
    assert public.get(url).status_code == 404
    view = public.get(url, {"query_code": filed["query_code"]}).json()
    assert view["state"] == "handling" and view["routed_to"] == "蓬江区民政局"
    assert view["answer"] == "" and view["answered_at"] is None
    # Rating before the answer is refused.
    rate = {"query_code": filed["query_code"], "level": 2}
    response = public.post(f"{url}/rating", rate, content_type="application/json")
    assert response.status_code == 409
    # The department answers.
    clerk = signed_in(h.staff(Post.CLERK, h.civil_affairs()))
    answered = clerk.post(
        f"/api/v1/supervision/complaints/{filed['number']}/answer",
        {"answer": "经核实，已撤回该要求并向您致歉。"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    view = public.get(url, {"query_code": filed["query_code"]}).json()
    assert view["answer"].startswith("经核实") and view["answered_at"]
    response = public.post(f"{url}/rating", rate, content_type="application/json")
    assert response.status_code == 200 and response.json()["rating"] == 2
    again = public.post(f"{url}/rating", rate, content_type="application/json")
    assert again.status_code == 409


def test_filing_refusals_name_fields(case_number):
    public = Client()
    response = public.post(
        "/api/v1/complaints",
        {"subject": "case", "case_number": "NOPE", "content": "短"},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"content", "case_number", "phone"}
    response = public.post(
        "/api/v1/complaints",
        {"subject": "moon", "content": "这是一条足够长的投诉内容。", "phone": MOBILE},
        content_type="application/json",
    )
    assert {e["field"] for e in response.json()["errors"]} == {"subject"}
    response = public.post(
        "/api/v1/complaints",
        {
            "subject": "case",
            "case_number": case_number,
            "content": "这是一条足够长的投诉内容。",
            "phone": MOBILE,
            "sms_code": "000000",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "sms_code"
    assert not Complaint.objects.exists()


def test_routing_by_level():
    item = f.item(h.civil_affairs(), name="城乡居民最低生活保障申请")
    city = Department.objects.get(region_id="440700", name="江门市民政局")
    user = f.applicant().user
    by_department, _ = complaints.file(
        {
            "subject": "department",
            "department": city.credit_code,
            "content": "市局电话长期无人接听。",
        },
        user=user,
    )
    assert by_department.department == city and not by_department.anonymous
    by_item, _ = complaints.file(
        {
            "subject": "item",
            "implementation_code": item.implementation_code,
            "content": "办事指南与实际要求不一致。",
        },
        user=user,
    )
    assert by_item.department == h.civil_affairs()
    by_hall, _ = complaints.file(
        {"subject": "hall", "region": "440703", "content": "大厅取号机经常故障，排队很久。"},
        user=user,
    )
    assert by_hall.department.region_id == "440703"
    assert by_hall.department.kind == "service_centre"


def test_overdue_complaint_becomes_a_warning_once(case_number):
    complaint, _ = complaints.file(
        {"subject": "case", "case_number": case_number, "content": "超过期限仍未办结，无人答复。"},
        user=f.applicant().user,
    )
    assert complaints.raise_overdue(complaint.due_date) == 0
    later = complaint.due_date + datetime.timedelta(days=1)
    assert complaints.raise_overdue(later) == 1
    assert complaints.raise_overdue(later) == 0
    warning = Warning.objects.get(complaint=complaint)
    assert warning.rule_code == "TS01" and warning.department_code == h.civil_affairs().credit_code
    assert warning.case_number == complaint.number


def test_scope_and_forwarding(case_number):
    user = f.applicant().user
    mine, _ = complaints.file(
        {"subject": "case", "case_number": case_number, "content": "办理过程中多次要求补充材料。"},
        user=user,
    )
    chaozhou_dept = f.dept_like("民政", h.CHAOZHOU)
    theirs, _ = complaints.file(
        {
            "subject": "department",
            "department": chaozhou_dept.credit_code,
            "content": "潮州市民政部门答复不及时。",
        },
        user=user,
    )
    supervisor = signed_in(h.supervisor_of("440700"))
    listed = supervisor.get("/api/v1/supervision/complaints").json()
    assert [c["number"] for c in listed["results"]] == [mine.number]
    response = supervisor.post(
        f"/api/v1/supervision/complaints/{theirs.number}/answer",
        {"answer": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert supervisor.get(f"/workbench/supervision/complaints/{theirs.number}/").status_code == 404
    # Another department of the same county does not see it.
    other = Department.objects.filter(region_id="440703").exclude(pk=h.civil_affairs().pk).first()
    outsider = signed_in(h.staff(Post.CLERK, other))
    assert outsider.get("/api/v1/supervision/complaints").json()["count"] == 0
    # The supervisor may not answer for the department, but may forward (交办).
    response = supervisor.post(
        f"/api/v1/supervision/complaints/{mine.number}/answer",
        {"answer": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = supervisor.post(
        f"/api/v1/supervision/complaints/{mine.number}/forward",
        {"department": other.credit_code, "note": "属该部门职责"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["department"] == other.credit_code
    assert outsider.get("/api/v1/supervision/complaints").json()["count"] == 1
    response = supervisor.post(
        f"/api/v1/supervision/complaints/{mine.number}/forward",
        {"department": chaozhou_dept.credit_code},
        content_type="application/json",
    )
    assert response.status_code == 403  # outside the supervisor's reach
    assert response.json()["errors"][0]["field"] == "department"


def test_complaint_pages(case_number):
    public = Client()
    form = public.get("/supervision/complaints/new/?region=440703")
    assert form.status_code == 200 and "我要投诉" in form.content.decode()
    data = {
        "subject": "case",
        "case_number": case_number,
        "phone": MOBILE,
        "content": "窗口工作人员态度生硬，不予解释。",
    }
    sent = public.post("/supervision/complaints/new/", {**data, "send_code": "1"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    done = public.post("/supervision/complaints/new/", {**data, "sms_code": last_code(MOBILE)})
    assert done.status_code == 201
    complaint = Complaint.objects.get()
    html = done.content.decode()
    assert complaint.number in html and "查询码" in html
    bad = public.post("/supervision/complaints/new/", {**data, "content": "短"})
    assert bad.status_code == 400 and "至少10个字" in bad.content.decode()
    track = public.get(
        "/supervision/complaints/track/", {"number": complaint.number, "query_code": "ZZZZ"}
    )
    assert track.status_code == 404
    clerk = signed_in(h.staff(Post.CLERK, h.civil_affairs()))
    page = clerk.get(f"/workbench/supervision/complaints/{complaint.number}/")
    assert "答复投诉人" in page.content.decode()
    response = clerk.post(
        f"/workbench/supervision/complaints/{complaint.number}/answer/",
        {"answer": "已批评教育相关人员。"},
    )
    assert response.status_code == 302
    assert Complaint.objects.get().state == ComplaintState.ANSWERED
