"""The set-based item generator makes the same catalogue and the same index as the
per-object path it replaced (``bulk_create`` of model instances, kept here as the
reference), and the index it writes is the one the engine's rebuild derives from the
catalogue rows; the benchmark's queries find the same items either way."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import BasicItem, Item, ItemVersion, Material, Theme
from govhall.demo.catalog.loader import all_templates, load_themes
from govhall.demo.generators import items as generator
from govhall.regions.models import EXERCISE_LEVEL_CODE, Level
from govhall.search.models import ItemDocument, SearchTerm

pytestmark = pytest.mark.django_db

COUNT = 200
GENERATED = r"^[A-Z]{2}5\d{7}$"
QUERIES = ["营业执照", "yyzz", "结婚登记", "公积金提取", "营叶执照", "jhdj", "开餐馆", "低保"]
REGIONS = ["440000", "440700", "445100", "440703", None]
# Ids, the moment of writing and the keys to rows of the same run differ by nature.
UNCOMPARED = {"id", "item_id", "version_id", "basic_item_id", "current_id"}
STAMPS = {"created_at", "updated_at", "published_at", "indexed_at"}


@transaction.atomic
def reference_generate(count: int, seed: int = 20170101) -> None:
    """The generator as it was: model instances through ``bulk_create``, then an update
    of each item's version in force, then ``bulk_index`` of the sources."""
    from govhall.catalog.services.codes import implementation_code
    from govhall.search.services.indexing import Source, bulk_index

    templates = all_templates()
    index_of = {t.key: i for i, t in enumerate(templates)}
    themes = dict(Theme.objects.values_list("code", "pk"))
    theme_names = dict(Theme.objects.values_list("code", "name"))
    now = timezone.now()
    for template in templates:
        for variant, suffix in enumerate(generator.VARIANTS):
            code = generator._basic_code(template, index_of[template.key], variant)
            BasicItem.objects.get_or_create(
                code=code,
                defaults={"name": template.name + suffix, "item_type": template.item_type},
            )
    basic_ids = dict(BasicItem.objects.values_list("code", "pk"))
    batch = list(generator.plan(count, seed))
    items = []
    for template, variant, department in batch:
        basic = generator._basic_code(template, index_of[template.key], variant)
        items.append(
            Item(
                implementation_code=implementation_code(department, basic),
                basic_item_id=basic_ids[basic],
                basic_code=basic,
                item_type=template.item_type,
                department=department,
                region_id=department.region_id,
                exercise_level=EXERCISE_LEVEL_CODE[Level(department.region.level)],
                name=template.name + generator.VARIANTS[variant],
                status=Item.Status.ACTIVE,
            )
        )
    Item.objects.bulk_create(items)
    ids = dict(Item.objects.values_list("implementation_code", "pk"))
    for item in items:
        item.pk = ids[item.implementation_code]
    versions = [
        ItemVersion(
            item_id=item.pk,
            number=1,
            state=ItemVersion.State.PUBLISHED,
            name=item.name,
            aliases=template.aliases,
            legal_basis=template.basis,
            audience_codes=template.audience,
            conditions=template.conditions,
            statutory_limit_days=template.statutory,
            promised_limit_days=template.promised,
            case_type=template.case_type,
            has_fee=bool(template.fees),
            fee_basis=template.fee_basis,
            visits=template.visits,
            visits_reason=template.visits_reason if template.visits else "",
            depth=template.depth,
            channel_online=template.online,
            channel_mobile=template.mobile,
            result_name=template.result,
            location=f"{department.region.name}政务服务中心",
            consultation_phone="12345",
            supervision_phone="12345",
            published_at=now,
        )
        for item, (template, _variant, department) in zip(items, batch, strict=True)
    ]
    ItemVersion.objects.bulk_create(versions)
    version_ids = dict(ItemVersion.objects.values_list("item_id", "pk"))
    for item, version in zip(items, versions, strict=True):
        version.pk = item.current_id = version_ids[item.pk]
    Item.objects.bulk_update(items, ["current"])
    through = ItemVersion.themes.through
    materials, links, sources = [], [], []
    for item, version, (template, _variant, department) in zip(items, versions, batch, strict=True):
        for order, mat in enumerate(template.materials, start=1):
            materials.append(
                Material(
                    version_id=version.pk,
                    sort_order=order,
                    code=mat.code or f"M{order:02d}",
                    name=mat.name,
                    issuer=mat.issuer,
                    originals=mat.originals,
                    copies=mat.copies,
                    required=mat.required,
                    condition=mat.condition,
                    media=mat.media,
                    source=mat.source,
                    licence_type_name=mat.licence,
                    shared_data_source=mat.shared,
                )
            )
        links += [through(itemversion_id=version.pk, theme_id=themes[c]) for c in template.themes]
        sources.append(
            Source(
                item_id=item.pk,
                version_number=1,
                implementation_code=item.implementation_code,
                name=item.name,
                aliases=version.alias_list,
                region_code=item.region_id,
                department_id=department.pk,
                department_name=department.name,
                item_type=item.item_type,
                audience_codes=version.audience_codes,
                theme_codes=list(template.themes),
                theme_names=[theme_names[c] for c in template.themes],
                is_sub_item=False,
                conditions=version.conditions,
                material_names=[m.name for m in template.materials],
                result_name=version.result_name,
            )
        )
    Material.objects.bulk_create(materials)
    through.objects.bulk_create(links)
    bulk_index(sources)


def columns(obj, leave_out=()) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in UNCOMPARED | STAMPS | set(leave_out)
    }


def as_old_path(documents: dict) -> dict:
    """The documents without the sub-item flag and with themes in no particular order."""
    out = {}
    for code, doc in documents.items():
        lines = doc["body"].splitlines()
        out[code] = {
            **doc,
            "is_sub_item": None,
            "facet_tokens": sorted(t for t in doc["facet_tokens"].split() if t[:3] != "sub"),
            "theme_codes": sorted(doc["theme_codes"].split()),
            "body": [*lines[:-1], sorted(lines[-1].removeprefix("服务主题：").split("、"))],
            "body_tokens": sorted(doc["body_tokens"].split()),
        }
        assert lines[-1].startswith("服务主题：")
    return out


def snapshot() -> dict:
    """Everything the generator wrote, keyed by implementation code, and what the
    benchmark's queries find."""
    from govhall.search.engine import search

    items = Item.objects.filter(basic_code__regex=GENERATED).select_related("current", "basic_item")
    through = ItemVersion.themes.through
    catalogue = {}
    for item in items:
        version = item.current
        catalogue[item.implementation_code] = {
            "item": columns(item),
            "basic": (item.basic_item.code, item.basic_item.name),
            "version": columns(version),
            "versions": item.versions.count(),
            "materials": [columns(m) for m in Material.objects.filter(version=version)],
            "themes": sorted(
                through.objects.filter(itemversion=version).values_list("theme__code", flat=True)
            ),
        }
    documents = {d.implementation_code: columns(d) for d in ItemDocument.objects.all()}
    hits = {}
    for query in QUERIES:
        for region in REGIONS:
            results = search(query, region=region)
            hits[query, region] = (
                len(results),
                [hit.item.implementation_code for hit in results.hits(0, 20)],
            )
    terms = dict(SearchTerm.objects.values_list("term", "frequency"))
    return {"catalogue": catalogue, "documents": documents, "hits": hits, "terms": terms}


def test_set_based_generator_matches_the_per_object_path_and_the_rebuild():
    from govhall.search.services.indexing import rebuild_index

    load_themes()
    reference_generate(COUNT)
    before = snapshot()
    assert generator.clear_generated() == COUNT
    SearchTerm.objects.all().delete()
    assert not ItemDocument.objects.exists()

    report = generator.generate(COUNT, batch_size=64)  # several batches
    after = snapshot()
    assert (report.items, report.documents) == (COUNT, COUNT)
    assert report.materials == sum(len(e["materials"]) for e in after["catalogue"].values())
    assert len(after["catalogue"]) == COUNT
    assert after["catalogue"] == before["catalogue"]
    # The old path marked every item a main item, though variants (basic codes 001–005)
    # are sub-items by the coding rule, and listed themes in the template's order, not
    # the catalogue's; the rebuild below says what the new one writes. All else is equal.
    assert as_old_path(after["documents"]) == as_old_path(before["documents"])
    subs = {c for c, d in after["documents"].items() if d["is_sub_item"]}
    assert subs == {c for c in after["documents"] if not c.endswith("000")} != set()
    # The words; their counts are per batch (the first batch's count stays), then as now.
    assert after["terms"].keys() == before["terms"].keys()
    assert after["hits"] == before["hits"]
    assert sum(1 for total, _ in after["hits"].values() if total) >= len(QUERIES)

    for item in Item.objects.filter(basic_code__regex=GENERATED).select_related("current"):
        assert item.current.item_id == item.pk and item.status == Item.Status.ACTIVE

    rebuild_index()  # the engine's own path from the catalogue rows
    rebuilt = snapshot()
    assert rebuilt["documents"] == after["documents"]
    # Same counts; the rebuild numbers its rows in the catalogue's order, not the
    # generator's, and equal scores are listed by row number.
    assert {k: total for k, (total, _) in rebuilt["hits"].items()} == {
        k: total for k, (total, _) in after["hits"].items()
    }
