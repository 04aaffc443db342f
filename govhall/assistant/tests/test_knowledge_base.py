"""The knowledge base: guide clauses kept in step with publishing, and the 问答库 workflow."""

from __future__ import annotations

import pytest

from govhall.assistant.models import Clause, KnowledgeEntry
from govhall.assistant.services import clauses, knowledge
from govhall.catalog.models import Item
from govhall.catalog.services import documents, items
from govhall.core.errors import Refusal
from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Post, Region
from tests.common import staff

pytestmark = pytest.mark.django_db


def _low_income(region="440703") -> Item:
    return Item.objects.published().get(region_id=region, name="最低生活保障审批")


def test_every_published_guide_is_split_into_addressable_clauses(catalog):
    item = _low_income()
    version = item.current
    rows = {c.key: c for c in Clause.objects.filter(version=version)}
    materials = list(version.materials.all())
    assert materials
    for material in materials:
        clause = rows[f"materials.{material.code}"]
        assert clause.section == "materials" and material.name in clause.text
        assert clause.implementation_code == item.implementation_code
        assert clause.version_number == version.number and clause.is_current
    assert str(version.promised_limit_days) in rows["time_limit.promised"].text
    assert str(version.statutory_limit_days) in rows["time_limit.statutory"].text
    assert "conditions" in rows and version.conditions in rows["conditions"].text
    assert {"visits", "legal_basis", "location"} <= set(rows)
    faqs = list(version.faqs.all())
    for index, faq in enumerate(faqs, start=1):
        assert faq.answer in rows[f"faq.{index}"].text


def test_a_new_version_is_reindexed_and_the_old_one_stays_citable(catalog):
    item = _low_income()
    old = item.current
    doc = documents.content_document(old)
    doc.update(
        department=item.department.credit_code,
        basic_code=item.basic_code,
        item_type=item.item_type,
    )
    doc["location"] = "蓬江区政务服务中心二楼民政窗口"
    doc["change_type"] = "change"
    doc["change_summary"] = "调整办理地点"
    items.load_document(doc, publish=True)
    item.refresh_from_db()
    assert item.current.number == old.number + 1
    new_place = Clause.objects.get(version=item.current, key="location")
    old_place = Clause.objects.get(version=old, key="location")
    assert "二楼民政窗口" in new_place.text and new_place.is_current
    assert old.location in old_place.text and not old_place.is_current
    assert next(c.version_number for c in clauses.clauses_of(item, old.number)) == old.number


def test_reindex_all_builds_missing_clauses_only(catalog):
    item = _low_income()
    Clause.objects.filter(item=item).delete()
    assert clauses.reindex_all() > 0
    assert Clause.objects.filter(item=item, is_current=True).exists()
    assert clauses.reindex_all() == 0


def _minzheng(region="440703") -> Department:
    return _low_income(region).department


def test_department_entries_go_draft_submitted_published_with_four_eyes(catalog):
    dept = _minzheng()
    writer = staff(Post.CLERK, dept)
    reviewer = staff(Post.CATALOGUE_REVIEWER, dept)
    entry = knowledge.save_draft(
        writer,
        region=dept.region,
        department=dept,
        question="低保申请人死亡后怎么处理",
        answer="由共同生活的家庭成员到民政部门办理停发手续。",
        item_code=_low_income().implementation_code,
    )
    assert entry.state == KnowledgeEntry.State.DRAFT and entry.tokens
    with pytest.raises(Refusal) as denied:
        knowledge.review(entry, reviewer, approve=True)  # not submitted yet
    assert denied.value.code == "transition_not_allowed"
    knowledge.submit(entry, writer)
    with pytest.raises(Refusal) as own:
        knowledge.review(entry, writer, approve=True)
    assert own.value.denied
    with pytest.raises(Refusal) as no_comment:
        knowledge.review(entry, reviewer, approve=False)
    assert no_comment.value.field == "comment"
    entry = knowledge.review(entry, reviewer, approve=True)
    assert entry.state == KnowledgeEntry.State.PUBLISHED and entry.published_at
    trail = AuditEntry.objects.filter(object_type__contains="knowledgeentry", object_id=entry.pk)
    assert trail.count() >= 3


def test_staff_write_only_their_own_department_and_halls_write_general_answers(catalog):
    dept = _minzheng()
    other = Department.objects.filter(region_id="440703").exclude(pk=dept.pk).first()
    outsider = staff(Post.CLERK, other)
    with pytest.raises(Refusal) as denied:
        knowledge.save_draft(
            outsider, region=dept.region, department=dept, question="问", answer="答"
        )
    assert denied.value.denied
    assert not KnowledgeEntry.objects.exists()
    region = Region.objects.get(code="440703")
    with pytest.raises(Refusal):
        knowledge.save_draft(outsider, region=region, department=None, question="问", answer="答")
    admin = staff(Post.HALL_ADMIN, other)
    entry = knowledge.save_draft(
        admin,
        region=region,
        department=None,
        question="政务服务中心周末开门吗",
        answer="蓬江区政务服务中心周六上午提供预约服务。",
    )
    assert entry.department is None


def test_bad_entry_input_names_each_field(catalog):
    dept = _minzheng()
    writer = staff(Post.CLERK, dept)
    with pytest.raises(Refusal) as refused:
        knowledge.save_draft(writer, region=dept.region, department=dept, question=" ", answer="")
    assert {p.field for p in refused.value.problems} == {"question", "answer"}
    assert all(p.message for p in refused.value.problems)
