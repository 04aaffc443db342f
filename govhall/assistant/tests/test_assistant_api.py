"""``POST /api/v1/assistant/ask``: cited answers, follow-ups, not knowing, the learning loop."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from govhall.assistant.models import Clause, QueuedQuestion, Turn
from govhall.assistant.services import knowledge
from govhall.catalog.models import Item
from govhall.regions.models import Post
from tests.common import staff

pytestmark = pytest.mark.django_db
ASK = "/api/v1/assistant/ask"


def ask(client, question, **extra):
    response = client.post(ASK, {"question": question, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def assert_cited(body):
    """Every numbered line carries a marker of a citation that is the clause's own text."""
    lines = body["answer"].splitlines()[1:]
    assert lines
    for line in lines:
        marker = re.search(r"〔(\d+)〕$", line)
        assert marker, line
        citation = body["citations"][int(marker.group(1)) - 1]
        assert citation["text"] in line
        clause = Clause.objects.get(
            implementation_code=citation["implementation_code"],
            version_number=citation["version"],
            key=citation["section"],
        )
        assert clause.text == citation["text"]


def test_materials_of_the_county_guide_then_a_follow_up_about_time(catalog):
    client = APIClient()
    body = ask(client, "在蓬江区申请低保要什么材料")
    item = Item.objects.published().get(region_id="440703", name="最低生活保障审批")
    assert set(body) >= {"conversation", "answer", "items", "citations", "needs_human"}
    assert body["items"][0] == {
        "implementation_code": item.implementation_code,
        "name": item.name,
        "region": "440703",
        "url": f"/items/{item.implementation_code}/",
    }
    assert body["needs_human"] is False
    materials = {m.name for m in item.current.materials.all()}
    cited = {c["section"] for c in body["citations"]}
    assert cited == {f"materials.{m.code}" for m in item.current.materials.all()}
    assert all(any(name in c["text"] for c in body["citations"]) for name in materials)
    assert_cited(body)

    follow = ask(client, "多久能办好", conversation=body["conversation"])
    assert follow["conversation"] == body["conversation"]
    assert follow["items"][0]["implementation_code"] == item.implementation_code
    assert {c["section"] for c in follow["citations"]} == {
        "time_limit.statutory",
        "time_limit.promised",
    }
    assert f"{item.current.promised_limit_days}个工作日" in follow["answer"]
    assert_cited(follow)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("孩子刚出生怎么上户口", "出生登记（新生儿入户）"),
        ("营业只照怎么申请", "企业设立登记（营业执照核发）"),
        ("yyzz", "企业设立登记（营业执照核发）"),
        ("公积金怎么取", "住房公积金提取"),
    ],
)
def test_colloquial_typos_and_initials_find_the_item(catalog, question, expected):
    body = ask(APIClient(), question, region="440703")
    assert body["items"][0]["name"] == expected
    assert_cited(body)


def test_without_a_region_it_asks_which_county(catalog):
    client = APIClient()
    body = ask(client, "结婚登记要带什么材料")
    assert "您在哪个区县办理" in body["answer"]
    assert {i["region"] for i in body["items"]} >= {"440703"}
    assert body["citations"] == []
    again = ask(client, "蓬江区", conversation=body["conversation"])
    assert again["items"][0]["region"] == "440703"
    assert again["items"][0]["name"] == "内地居民结婚登记"
    assert_cited(again)


def test_it_says_plainly_when_it_does_not_know_and_queues_the_question(catalog):
    client = APIClient()
    body = ask(client, "火星移民签证怎么申请", region="440703")
    assert body["needs_human"] is True
    assert body["citations"] == [] and "没有找到" in body["answer"]
    ask(client, "火星移民签证怎么办理", region="440703")
    row = QueuedQuestion.objects.get()
    assert row.count == 2 and row.reason == "no_answer" and row.region_id == "440703"


def test_a_published_answer_is_used_the_next_time(catalog):
    client = APIClient()
    question = "政务服务中心停车场收费吗"
    first = ask(client, question, region="440703")
    assert first["needs_human"] is True
    row = QueuedQuestion.objects.get(state="open")
    item = Item.objects.published().get(region_id="440703", name="最低生活保障审批")
    writer = staff(Post.HALL_ADMIN, item.department)
    reviewer = staff(Post.CATALOGUE_REVIEWER, item.department)
    entry = knowledge.save_draft(
        writer,
        region=item.region,
        department=None,
        question="政务服务中心停车场收费吗",
        phrasings="大厅停车要钱吗",
        answer="蓬江区政务服务中心停车场对办事群众免费开放2小时。",
        source=row,
    )
    knowledge.submit(entry, writer)
    knowledge.review(entry, reviewer, approve=True)
    row.refresh_from_db()
    assert row.state == "answered"
    again = ask(client, question, region="440703")
    assert again["needs_human"] is False
    assert "免费开放2小时" in again["answer"]
    assert again["citations"][0]["section"] == f"qa.{entry.public_id}"
    other = ask(client, "大厅停车要钱吗", region="440703")
    assert "免费开放2小时" in other["answer"]


def test_feedback_marks_the_answer_and_unhelpful_ones_feed_the_queue(catalog):
    client = APIClient()
    body = ask(client, "离婚在哪里办", region="440703")
    response = client.post(
        "/api/v1/assistant/feedback",
        {"conversation": body["conversation"], "turn": body["turn"], "helpful": False},
        format="json",
    )
    assert response.status_code == 200
    assert Turn.objects.get(pk=body["turn"]).helpful is False
    assert QueuedQuestion.objects.filter(reason="unhelpful").count() == 1
    twice = client.post(
        "/api/v1/assistant/feedback",
        {"conversation": body["conversation"], "turn": body["turn"], "helpful": True},
        format="json",
    )
    assert twice.status_code == 409


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        ({}, "question", 400),
        ({"question": "  "}, "question", 400),
        ({"question": "低保" * 101}, "question", 400),
        ({"question": 5}, "question", 400),
        ({"question": "低保", "region": "999999"}, "region", 400),
        ({"question": "低保", "conversation": "nope"}, "conversation", 400),
        (
            {"question": "低保", "conversation": "2f1b6d2e-8a5c-4a0e-9f5e-0c1f6f7a9b10"},
            "conversation",
            404,
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(catalog, payload, field, status):
    response = APIClient().post(ASK, payload, format="json")
    assert response.status_code == status
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and errors[0]["message"]
    assert not Turn.objects.exists()
