import pytest

from govhall.catalog.models import ChangeRecord, Item, ItemVersion, ReviewRecord
from govhall.catalog.services import documents, items, workflow
from govhall.core.errors import Refusal

from .factories import department, doc_for, editor, ensure_themes, published_item, reviewer

pytestmark = pytest.mark.django_db


def test_load_document_publishes_with_codes():
    item = published_item()
    assert item.status == Item.Status.ACTIVE
    assert item.current.number == 1
    assert item.basic_code == "QR00001000"
    dept = department()
    assert item.implementation_code == f"{dept.credit_code}3QR00001000"
    assert [m.code for m in item.current.materials.all()] == ["M01", "M02", "M03", "M04"]
    assert ChangeRecord.objects.get(item=item).change_type == "new"


def test_load_is_idempotent():
    item = published_item()
    again = items.load_document(doc_for(basic_code=item.basic_code), publish=True)
    assert again.pk == item.pk
    assert item.versions.count() == 1


def test_journey_return_fix_publish_and_diff():
    item = published_item()
    author, checker = editor(), reviewer()
    draft = items.new_draft(item, author, change_summary="调整承诺时限")
    content = documents.content_document(draft)
    content["office_hours"] = "周一至周六 9:00-17:00"
    items.save_draft(draft, content, author)
    workflow.submit(draft, author)
    workflow.return_version(
        draft, checker, "办理时间须与大厅公布的一致", legality_ok=True, compliance_ok=False
    )
    draft.refresh_from_db()
    assert draft.state == ItemVersion.State.RETURNED
    fixed = items.new_draft(item, author)
    assert fixed.based_on_id == draft.pk and fixed.number == 3
    content = documents.content_document(fixed)
    content["office_hours"] = "周一至周五 9:00-12:00，14:30-17:30（周六上午）"
    items.save_draft(fixed, content, author)
    workflow.submit(fixed, author)
    workflow.approve(fixed, checker)
    workflow.publish(fixed, checker)
    item.refresh_from_db()
    assert item.current_id == fixed.pk
    old = item.versions.get(number=1)
    assert old.state == ItemVersion.State.SUPERSEDED
    changes = documents.diff(documents.content_document(old), documents.content_document(fixed))
    assert [c.field for c in changes] == ["office_hours"]
    assert (
        ReviewRecord.objects.filter(version=draft, action="return")
        .get()
        .comment.startswith("办理时间")
    )


def test_other_department_cannot_edit():
    item = published_item()
    outsider = editor(department("江门市公安局"))
    with pytest.raises(Refusal) as refused:
        items.new_draft(item, outsider)
    assert refused.value.denied


def test_reviewer_cannot_review_own_submission():
    item = published_item()
    dept = department()
    both = editor(dept)
    from govhall.regions.models import Post, StaffPost

    StaffPost.objects.create(user=both, department=dept, post=Post.CATALOGUE_REVIEWER)
    both._staff_scope = None
    del both._staff_scope
    draft = items.new_draft(item, both)
    workflow.submit(draft, both)
    with pytest.raises(Refusal) as exc:
        workflow.approve(draft, both)
    assert exc.value.problems[0].code == "four_eyes"


def test_consistency_rules_block_save():
    ensure_themes()
    with pytest.raises(Refusal) as exc:
        items.load_document(doc_for(visits=2, depth=4), publish=True)
    codes = {p.code for p in exc.value.problems}
    assert "fully_online_zero_visits" in codes
    assert not Item.objects.filter(name="内地居民婚姻登记").exists()
