"""Changes that take effect (suspend, cancel, split, merge), bundles, scenarios and rates."""

import pytest

from govhall.catalog.models import ChangeRecord, Item, ItemVersion
from govhall.catalog.services import bundles, items, rates, scenarios, workflow
from govhall.core.errors import Refusal
from govhall.regions.models import Region

from .factories import (
    department,
    doc_for,
    editor,
    ensure_themes,
    marriage_scenario,
    published_item,
    reviewer,
    settlement_item,
)

pytestmark = pytest.mark.django_db


def _through_review(version, author, checker):
    workflow.submit(version, author)
    workflow.approve(version, checker)
    return workflow.publish(version, checker)


def test_suspension_is_reviewed_then_takes_effect(django_capture_on_commit_callbacks):
    item = published_item()
    author, checker = editor(), reviewer()
    with pytest.raises(Refusal) as refused:
        items.request_change(item, "suspend", "  ", author)
    assert not refused.value.denied
    version = items.request_change(item, "suspend", "系统升级暂停受理", author)
    assert Item.objects.get(pk=item.pk).status == Item.Status.ACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        _through_review(version, author, checker)
    item.refresh_from_db()
    assert item.status == Item.Status.SUSPENDED
    assert not Item.objects.published().filter(pk=item.pk).exists()
    assert ChangeRecord.objects.filter(item=item, change_type="suspend").exists()
    # A later change (变更) brings it back.
    version = items.new_draft(item, author, change_summary="恢复受理")
    _through_review(version, author, checker)
    item.refresh_from_db()
    assert item.status == Item.Status.ACTIVE


def test_merge_cancels_the_sources():
    a = published_item()
    b = published_item(basic_code="QR00002000", name="涉外婚姻登记")
    author, checker = editor(), reviewer()
    merged = items.merge_items([a, b], name="婚姻登记（合并）", reason="两项合并办理", actor=author)
    assert merged.latest_version.change_type == "merge"
    _through_review(merged.latest_version, author, checker)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == Item.Status.CANCELLED
    assert a.current.change_type == "merge" and a.current.state == ItemVersion.State.PUBLISHED
    assert a.versions.get(number=1).state == ItemVersion.State.SUPERSEDED
    record = ChangeRecord.objects.get(item=merged)
    assert set(record.related_items.all()) == {a, b}
    with pytest.raises(Refusal) as refused:
        items.new_draft(a, author)
    assert not refused.value.denied


def test_split_creates_drafts_and_cancels_on_publish():
    source = published_item()
    author, checker = editor(), reviewer()
    parts = items.split_item(
        source,
        [{"name": "内地居民结婚登记"}, {"name": "内地居民补领结婚证"}],
        reason="按办理情形拆分",
        actor=author,
    )
    assert len(parts) == 2 and all(p.latest_version.change_type == "split" for p in parts)
    _through_review(parts[0].latest_version, author, checker)
    source.refresh_from_db()
    assert source.status == Item.Status.CANCELLED


def test_bundle_and_scenario():
    ensure_themes()
    marriage = published_item()
    settle = settlement_item(statutory_limit_days=20)
    bundle = bundles.save_bundle(
        code="marriage-settle",
        name="结婚落户一件事",
        audience="person",
        region="440700",
        members=[
            {"item": marriage.implementation_code},
            {"item": settle.implementation_code, "required": False, "condition": "夫妻投靠时"},
        ],
    )
    assert [m.item for m in bundle.members.all()] == [marriage, settle]
    with pytest.raises(Refusal):
        bundles.save_bundle(
            code="x", name="x", audience="person", region="440700", members=[{"item": "nope"}]
        )

    tree = scenarios.save_scenario(marriage_scenario(marriage, settle))
    result = scenarios.resolve(tree, {"remarry": "no", "move": "yes"})
    assert result.complete
    assert [r.item for r in result.items] == [marriage, settle]
    first = result.items[0]
    assert "离婚证或离婚判决书" not in [m.name for m in first.materials]
    assert [m.name for m in first.materials_fetched] == ["居民身份证", "居民户口簿"]
    result = scenarios.resolve(tree, {"remarry": "yes"})
    assert not result.complete and result.next_question.code == "move"
    assert "离婚证或离婚判决书" in [m.name for m in result.items[0].materials_you_bring]
    with pytest.raises(scenarios.ScenarioError):
        scenarios.resolve(tree, {"move": "yes"})
    with pytest.raises(scenarios.ScenarioError):
        scenarios.resolve(tree, {"remarry": "maybe"})


def test_scenario_document_errors():
    with pytest.raises(Refusal) as exc:
        scenarios.save_scenario(
            {
                "code": "x",
                "name": "x",
                "questions": [
                    {
                        "code": "a",
                        "text": "A",
                        "options": [{"code": "1", "label": "1", "next": "a"}],
                    }
                ],
            }
        )
    assert exc.value.problems[0].code == "backward_jump"


def test_rates_per_region():
    jiangmen = Region.objects.get(code="440700")
    one = published_item()
    author, checker = editor(), reviewer()
    two = items.create_item(
        department=department(), name="收养登记", item_type="QR", content=doc_for(), actor=author
    )
    three = items.create_item(
        department=department(), name="婚姻登记档案查询", item_type="GG", actor=author
    )
    workflow.submit(two.latest_version, author)
    workflow.return_version(two.latest_version, checker, "依据不全")
    items.confirm_catalogue([one, two, three], author)
    figures = rates.rates_for(jiangmen)
    assert (figures.items, figures.confirmed, figures.submitted, figures.passed) == (3, 3, 2, 1)
    assert str(figures.confirmation_rate) == "100.0"
    assert str(figures.submission_rate) == "66.7"
    assert str(figures.review_pass_rate) == "50.0"
    fix = items.new_draft(two, author)
    _through_review(fix, author, checker)
    assert rates.rates_for(jiangmen).passed == 2
    rows = rates.rates_by_child_region(jiangmen)
    assert rows[0].region == jiangmen and rows[0].items == 3
    assert {r.region.code for r in rows[1:]} >= {"440703", "440781"}


def test_confirmation_needs_edit_scope():
    item = published_item()
    with pytest.raises(Exception) as exc:
        items.confirm_catalogue([item], editor(department("江门市公安局")))
    assert "江门市民政局" in str(exc.value)
