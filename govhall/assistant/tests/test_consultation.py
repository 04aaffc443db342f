"""Online consultation: hand-over, the department's queue, replies, closing, rating."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from govhall.assistant.models import Consultation, QueuedQuestion
from govhall.assistant.services import consultation as consultation_service
from govhall.catalog.models import Item
from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Post
from tests.common import staff

pytestmark = pytest.mark.django_db
API = "/api/v1/assistant"


@pytest.fixture(autouse=True)
def open_hours(monkeypatch):
    """These tests are about live consultation: the desk is open whatever the clock says
    (test_written.py covers the hours themselves)."""
    monkeypatch.setattr(consultation_service, "is_open", lambda moment: True)


def _ask(client, question, region="440703"):
    response = client.post(f"{API}/ask", {"question": question, "region": region}, format="json")
    assert response.status_code == 200
    return response.json()


def _hand_over(client, conversation):
    response = client.post(f"{API}/consultations/", {"conversation": conversation}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_conversation_is_handed_to_the_items_department_and_answered(catalog):
    citizen = APIClient()
    body = _ask(citizen, "低保申请被拒绝了还能再申请吗")
    item = Item.objects.published().get(region_id="440703", name="最低生活保障审批")
    handed = _hand_over(citizen, body["conversation"])
    assert handed["state"] == "waiting" and handed["token"]
    assert handed["department"] == item.department.name
    assert [m["sender"] for m in handed["messages"]] == ["citizen", "system"]
    # the unanswered question and its hand-over fall into one group of the department
    assert QueuedQuestion.objects.get(department=item.department).count == 2
    consultation = Consultation.objects.get(public_id=handed["consultation"])
    assert consultation.token_digest != handed["token"]  # only the digest is kept

    agent = staff(Post.CLERK, item.department)
    outsider = staff(Post.CLERK, Department.objects.exclude(pk=item.department_id).first())
    desk = APIClient()
    desk.force_authenticate(agent)
    other = APIClient()
    other.force_authenticate(outsider)
    queue = desk.get(f"{API}/queue").json()
    assert [c["consultation"] for c in queue["results"]] == [handed["consultation"]]
    assert queue["figures"]["waiting"] == 1
    assert other.get(f"{API}/queue").json()["results"] == []
    url = f"{API}/consultations/{handed['consultation']}"
    assert other.post(f"{url}/take").status_code == 404

    assert desk.post(f"{url}/take").status_code == 200
    assert desk.post(f"{url}/take").status_code == 409
    last = handed["messages"][-1]["id"]
    sent = desk.post(f"{url}/messages", {"text": "可以，家庭情况变化后可重新申请。"}, format="json")
    assert sent.status_code == 201
    seen = citizen.get(
        f"{url}/messages?after={last}", HTTP_X_CONSULTATION_TOKEN=handed["token"]
    ).json()
    assert seen["state"] == "active"
    assert [m["sender"] for m in seen["messages"]] == ["system", "agent"]
    assert seen["messages"][-1]["text"] == "可以，家庭情况变化后可重新申请。"
    reply = citizen.post(
        f"{url}/messages",
        {"text": "好的，谢谢"},
        format="json",
        HTTP_X_CONSULTATION_TOKEN=handed["token"],
    )
    assert reply.status_code == 201
    assert citizen.get(f"{url}/messages", HTTP_X_CONSULTATION_TOKEN="wrong").status_code == 404

    assert desk.post(f"{url}/close").status_code == 200
    rate = citizen.post(
        f"{url}/rating", {"level": 5}, format="json", HTTP_X_CONSULTATION_TOKEN=handed["token"]
    )
    assert rate.status_code == 400 and rate.json()["errors"][0]["field"] == "comment"
    rate = citizen.post(
        f"{url}/rating", {"level": 1}, format="json", HTTP_X_CONSULTATION_TOKEN=handed["token"]
    )
    assert rate.status_code == 200 and rate.json()["rating"] == 1
    again = citizen.post(
        f"{url}/rating", {"level": 2}, format="json", HTTP_X_CONSULTATION_TOKEN=handed["token"]
    )
    assert again.status_code == 409
    figures = desk.get(f"{API}/queue?state=closed").json()["figures"]
    assert figures["closed"] == 1 and figures["satisfaction"] == 100.0
    assert figures["average_wait"] is not None and figures["average_first_reply"] is not None
    trail = AuditEntry.objects.filter(object_id=consultation.pk, object_type__contains="consult")
    assert trail.count() >= 4


def test_a_consultant_transfers_to_another_department(catalog):
    citizen = APIClient()
    body = _ask(citizen, "低保申请被拒绝了还能再申请吗")
    handed = _hand_over(citizen, body["conversation"])
    item = Item.objects.published().get(region_id="440703", name="最低生活保障审批")
    centre = Department.objects.get(region_id="440703", kind=Department.Kind.SERVICE_CENTRE)
    desk = APIClient()
    desk.force_authenticate(staff(Post.CLERK, item.department))
    url = f"{API}/consultations/{handed['consultation']}"
    desk.post(f"{url}/take")
    bad = desk.post(f"{url}/transfer", {"department": "nope"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "department"
    moved = desk.post(f"{url}/transfer", {"department": centre.credit_code}, format="json")
    assert moved.status_code == 200 and moved.json()["state"] == "waiting"
    assert moved.json()["department"] == centre.name
    assert desk.get(f"{API}/queue").json()["results"] == []  # no longer ours
    other = APIClient()
    other.force_authenticate(staff(Post.CLERK, centre))
    assert [c["consultation"] for c in other.get(f"{API}/queue").json()["results"]] == [
        handed["consultation"]
    ]
    seen = citizen.get(f"{url}/messages", HTTP_X_CONSULTATION_TOKEN=handed["token"]).json()
    assert "转交" in seen["messages"][-1]["text"]


def test_a_consented_answer_becomes_a_masked_faq_draft(catalog, client):
    citizen = APIClient()
    body = _ask(citizen, "低保申请被拒绝了还能再申请吗")
    handed = _hand_over(citizen, body["conversation"])
    item = Item.objects.published().get(region_id="440703", name="最低生活保障审批")
    agent = staff(Post.CLERK, item.department)
    desk = APIClient()
    desk.force_authenticate(agent)
    url = f"{API}/consultations/{handed['consultation']}"
    desk.post(
        f"{url}/messages",
        {"text": "可以重新申请，请联系13812345678或带440703199001011234的身份证到窗口。"},
        format="json",
    )
    desk.post(f"{url}/close")
    new = f"/workbench/knowledge/new/?consultation={handed['consultation']}"
    client.force_login(agent)
    assert client.get(new).status_code == 400  # no consent yet
    citizen.post(
        f"{url}/rating",
        {"level": 1, "consent": True},
        format="json",
        HTTP_X_CONSULTATION_TOKEN=handed["token"],
    )
    page = client.get(new).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "440703199001011234" not in page and "可以重新申请" in page


def test_a_question_without_an_item_goes_to_the_service_centre(catalog):
    citizen = APIClient()
    body = _ask(citizen, "火星移民签证怎么申请")
    handed = _hand_over(citizen, body["conversation"])
    department = Department.objects.get(name=handed["department"])
    assert department.kind == Department.Kind.SERVICE_CENTRE


def test_citizen_pages_work_without_javascript(catalog, client):
    chat = "/halls/440703/assistant/"
    page = client.get(chat)
    assert page.status_code == 200 and "智能客服" in page.content.decode()
    response = client.post(chat, {"action": "ask", "question": "在蓬江区申请低保要什么材料"})
    assert response.status_code == 302
    html = client.get(chat).content.decode()
    assert "最低生活保障审批" in html and "依据：指南第1版" in html
    empty = client.post(chat, {"action": "ask", "question": " "})
    assert empty.status_code == 400 and "请输入您要咨询的问题" in empty.content.decode()
    handed = client.post(chat, {"action": "handover"})
    assert handed.status_code == 302 and handed["Location"].startswith("/consultations/")
    page = client.get(handed["Location"]).content.decode()
    assert "排队中" in page and "蓬江区民政局" in page
    sent = client.post(handed["Location"], {"action": "message", "text": "请尽快回复"})
    assert sent.status_code == 302
    assert "请尽快回复" in client.get(handed["Location"]).content.decode()
    # another browser (no token in its session) cannot open it
    from django.test import Client

    assert Client().get(handed["Location"]).status_code == 404


def test_a_guides_ask_button_starts_a_conversation_on_the_item(catalog, client):
    item = Item.objects.published().get(region_id="440703", name="最低生活保障审批")
    guide = client.get(f"/items/{item.implementation_code}/").content.decode()
    assert f"/items/{item.implementation_code}/ask/" in guide and "我要咨询" in guide
    response = client.get(f"/items/{item.implementation_code}/ask/")
    assert response.status_code == 302 and response["Location"] == "/halls/440703/assistant/"
    assert "您正在咨询“最低生活保障审批”" in client.get(response["Location"]).content.decode()
    client.post(response["Location"], {"action": "ask", "question": "要带什么材料？"})
    html = client.get(response["Location"]).content.decode()
    assert "申请材料“最低生活保障申请书”" in html
    assert client.get("/items/NOPE/ask/").status_code == 404


def test_staff_console_and_knowledge_desk_are_scoped(catalog, client):
    citizen = APIClient()
    body = _ask(citizen, "低保申请被拒绝了还能再申请吗")
    handed = _hand_over(citizen, body["conversation"])
    item = Item.objects.published().get(region_id="440703", name="最低生活保障审批")
    agent = staff(Post.CLERK, item.department)
    client.force_login(agent)
    queue = client.get("/workbench/consultations/").content.decode()
    assert "低保申请被拒绝了" in queue
    console = f"/workbench/consultations/{handed['consultation']}/"
    page = client.get(console).content.decode()
    assert "群众与智能客服的对话" in page and "受理条件" in page
    assert client.post(console, {"action": "take"}).status_code == 302
    assert client.post(console, {"action": "reply", "text": "您好"}).status_code == 302
    assert client.post(console, {"action": "reply", "text": ""}).status_code == 400
    desk = client.get("/workbench/knowledge/").content.decode()
    assert "低保申请被拒绝了还能再申请吗" in desk
    outsider = staff(Post.CLERK, Department.objects.exclude(pk=item.department_id).first())
    client.force_login(outsider)
    assert client.get(console).status_code == 404
    assert "低保申请被拒绝了" not in client.get("/workbench/knowledge/").content.decode()
