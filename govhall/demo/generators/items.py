"""Bulk generator of published items for benchmarks (``manage.py generate_items``).

It multiplies the demo templates over all 1,803 departments of the province so the text
(names, aliases, conditions, materials) is realistic Chinese with realistic repetition,
and writes with ``bulk_create`` in batches (no per-row signals): 100,000 items with
their versions, materials, themes and search documents take a few minutes on SQLite.
Generated basic codes use main numbers 50000 and up, so they never collide with the
demo catalogue, and ``clear_generated`` removes exactly them. One audit entry records
each run, since bulk writes bypass the per-row audit signals.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govhall.core.services import audit
from govhall.demo.catalog.common import Template
from govhall.demo.catalog.loader import all_templates
from govhall.regions.models import EXERCISE_LEVEL_CODE, Department, Level

GENERATED_MAIN_START = 50000
VARIANTS = ["", "（新办）", "（变更）", "（延续）", "（补办）", "（注销）"]


@dataclass
class GenerateReport:
    items: int
    materials: int
    documents: int


def _basic_code(template: Template, index: int, variant: int) -> str:
    return f"{template.code[:2]}{GENERATED_MAIN_START + index:05d}{variant:03d}"


def plan(count: int, seed: int = 20170101) -> Iterator[tuple[Template, int, Department]]:
    """(template, variant, department) for ``count`` items, every pair unique."""
    templates = all_templates()
    departments = list(
        Department.objects.select_related("region").filter(is_active=True).order_by("pk")
    )
    rng = random.Random(seed)
    combos = len(templates) * len(VARIANTS)
    if count > combos * len(departments):
        raise ValueError(f"最多可生成{combos * len(departments)}个事项。")
    produced = 0
    for department in rng.sample(departments, len(departments)):
        picks = rng.sample(range(combos), min(combos, count - produced))
        for pick in picks:
            yield templates[pick % len(templates)], pick // len(templates), department
            produced += 1
        if produced >= count:
            return


def clear_generated() -> int:
    """Delete the items this generator made (by their basic-code range)."""
    from govhall.catalog.models import BasicItem, Item

    generated = Item.objects.filter(basic_item__code__regex=r"^[A-Z]{2}5\d{4}\d{3}$")
    count = generated.count()
    with transaction.atomic():
        Item.objects.filter(pk__in=generated.values("pk")).update(current=None)
        generated.delete()
        BasicItem.objects.filter(code__regex=r"^[A-Z]{2}5\d{4}\d{3}$", items__isnull=True).delete()
    return count


@transaction.atomic
def generate(count: int, *, seed: int = 20170101, batch_size: int = 5000) -> GenerateReport:
    """Create ``count`` published items and index them."""
    from govhall.catalog.models import BasicItem, Item, ItemVersion, Material, Theme
    from govhall.catalog.services.codes import implementation_code
    from govhall.search.services.indexing import Source, bulk_index

    templates = all_templates()
    index_of = {t.key: i for i, t in enumerate(templates)}
    themes = dict(Theme.objects.values_list("code", "pk"))
    theme_names = dict(Theme.objects.values_list("code", "name"))
    now = timezone.now()

    basics = {}
    for template in templates:
        for variant in range(len(VARIANTS)):
            code = _basic_code(template, index_of[template.key], variant)
            basics[code] = BasicItem(
                code=code, name=template.name + VARIANTS[variant], item_type=template.item_type
            )
    existing = set(BasicItem.objects.filter(code__in=basics).values_list("code", flat=True))
    BasicItem.objects.bulk_create([b for c, b in basics.items() if c not in existing])
    basic_ids = dict(BasicItem.objects.filter(code__in=basics).values_list("code", "pk"))

    made = materials_made = documents_made = 0
    batch: list[tuple[Template, int, Department]] = []

    def flush():
        nonlocal made, materials_made, documents_made
        items = []
        for template, variant, department in batch:
            basic = _basic_code(template, index_of[template.key], variant)
            items.append(
                Item(
                    implementation_code=implementation_code(department, basic),
                    basic_item_id=basic_ids[basic],
                    basic_code=basic,
                    item_type=template.item_type,
                    department=department,
                    region_id=department.region_id,
                    exercise_level=EXERCISE_LEVEL_CODE[Level(department.region.level)],
                    name=template.name + VARIANTS[variant],
                    status=Item.Status.ACTIVE,
                )
            )
        Item.objects.bulk_create(items, batch_size=batch_size)
        if items[0].pk is None:  # backends without RETURNING: look the ids up
            ids = dict(
                Item.objects.filter(
                    implementation_code__in=[i.implementation_code for i in items]
                ).values_list("implementation_code", "pk")
            )
            for item in items:
                item.pk = ids[item.implementation_code]
        versions = []
        for item, (template, _variant, department) in zip(items, batch, strict=True):
            versions.append(
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
            )
        ItemVersion.objects.bulk_create(versions, batch_size=batch_size)
        if versions[0].pk is None:
            ids = dict(
                ItemVersion.objects.filter(item_id__in=[i.pk for i in items]).values_list(
                    "item_id", "pk"
                )
            )
            for version in versions:
                version.pk = ids[version.item_id]
        for item, version in zip(items, versions, strict=True):
            item.current_id = version.pk
        Item.objects.bulk_update(items, ["current"], batch_size=batch_size)
        rows, links, sources = [], [], []
        through = ItemVersion.themes.through
        for item, version, (template, _variant, department) in zip(
            items, versions, batch, strict=True
        ):
            for order, mat in enumerate(template.materials, start=1):
                rows.append(
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
            for code in template.themes:
                links.append(through(itemversion_id=version.pk, theme_id=themes[code]))
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
        Material.objects.bulk_create(rows, batch_size=batch_size)
        through.objects.bulk_create(links, batch_size=batch_size)
        documents_made += bulk_index(sources, batch_size=batch_size)
        made += len(items)
        materials_made += len(rows)
        batch.clear()

    for entry in plan(count, seed):
        batch.append(entry)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    report = GenerateReport(made, materials_made, documents_made)
    audit.record(
        audit.Action.IMPORT,
        object_type="catalog.item",
        object_repr="基准测试事项",
        after={"items": made, "materials": materials_made, "documents": documents_made},
        reason="生成基准测试事项",
    )
    return report
