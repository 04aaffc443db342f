"""Bulk generator of published items for benchmarks (``manage.py generate_items``).

It multiplies the demo templates over all 1,803 departments of the province so the text
(names, aliases, conditions, materials) is realistic Chinese with realistic repetition
(156 templates × 6 variants × the departments: up to about 1.69 million items).
Set-based: each (template, variant) becomes column values once, through the models,
and every batch of items, versions, materials, theme links and search documents is one
COPY (PostgreSQL) or one ``executemany`` (SQLite) per table — no per-row signals,
``save()`` or second pass; 1,000–2,800 items a second on the shared 2-core machine
(100,000 items; SQLite with a 256 MiB page cache for the load).
The search documents are exactly what ``rebuild_search_index`` derives from the same
rows. Generated basic codes use main numbers 50000 and up, so they never collide with
the demo catalogue, and ``clear_generated`` removes exactly them. One audit entry
records each run, since bulk writes bypass the per-row audit signals."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from govhall.core.services import audit, bulk
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


# SQLite's page cache while loading (KiB; the default is 2 MiB): the unique and foreign
# key indexes take the items in department order, not key order, and with the default
# every insert reads its index pages back from the OS (100,000 items: 50 s → 36 s).
SQLITE_LOAD_CACHE_KIB = 256 * 1024


@contextmanager
def _page_cache(kib: int):
    """A larger SQLite page cache for the load, the connection's own setting after it."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@dataclass
class _Kind:
    """What every item of one (template, variant) shares, converted once."""

    template: Template
    basic_code: str
    basic_item_id: int
    name: str
    is_sub_item: bool
    item: tuple  # Item constants
    version: tuple  # ItemVersion constants
    materials: list[tuple]  # Material constants, in order
    material_names: list[str]
    theme_codes: list[str]
    theme_ids: list[int]
    theme_names: list[str]
    aliases: list[str]


@transaction.atomic
def generate(count: int, *, seed: int = 20170101, batch_size: int = 10_000) -> GenerateReport:
    """Create ``count`` published items and index them.

    Set-based: items, versions, materials, theme links and index rows are written a
    batch at a time with ``bulk.ModelRows`` (COPY on PostgreSQL, ``executemany`` on
    SQLite), their columns derived from the models. Each (template, variant) is turned
    into column values once; per item only its ids and what its department decides
    (implementation code, region, exercise level, location) are filled in. Ids are
    allocated up front, so an item is written with its version in force and no second
    pass updates it. Foreign keys are checked at the end of each batch on PostgreSQL.
    """
    from govhall.catalog.models import BasicItem, Item, ItemVersion, Material, Theme
    from govhall.catalog.services.codes import implementation_code
    from govhall.search.services.indexing import Source, bulk_index

    templates = all_templates()
    index_of = {t.key: i for i, t in enumerate(templates)}
    themes = {
        code: (pk, name, order)
        for code, pk, name, order in Theme.objects.values_list("code", "pk", "name", "sort_order")
    }
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

    through = ItemVersion.themes.through
    item_rows = bulk.ModelRows(
        Item,
        ["id", "implementation_code", "department_id", "region_id", "exercise_level", "current_id"],
    )
    version_rows = bulk.ModelRows(ItemVersion, ["id", "item_id", "location"])
    material_rows = bulk.ModelRows(Material, ["version_id"])
    link_rows = bulk.ModelRows(through, ["itemversion_id", "theme_id"])

    kinds: dict[tuple[int, int], _Kind] = {}

    def kind_of(template: Template, variant: int) -> _Kind:
        key = (index_of[template.key], variant)
        if key not in kinds:
            basic = _basic_code(template, key[0], variant)
            name = template.name + VARIANTS[variant]
            item = Item(
                basic_item_id=basic_ids[basic],
                basic_code=basic,
                item_type=template.item_type,
                name=name,
                status=Item.Status.ACTIVE,
            )
            version = ItemVersion(
                number=1,
                state=ItemVersion.State.PUBLISHED,
                name=name,
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
                consultation_phone="12345",
                supervision_phone="12345",
                published_at=now,
            )
            materials = [
                Material(
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
                for order, mat in enumerate(template.materials, start=1)
            ]
            # In the catalogue's order of themes, as the index reads them back.
            codes = sorted(template.themes, key=lambda code: themes[code][2])
            kinds[key] = _Kind(
                template=template,
                basic_code=basic,
                basic_item_id=basic_ids[basic],
                name=name,
                is_sub_item=item.is_sub_item,
                item=item_rows.constants(item),
                version=version_rows.constants(version),
                materials=[material_rows.constants(m) for m in materials],
                material_names=[m.name for m in materials],
                theme_codes=codes,
                theme_ids=[themes[code][0] for code in codes],
                theme_names=[themes[code][1] for code in codes],
                aliases=version.alias_list,
            )
        return kinds[key]

    made = materials_made = documents_made = 0
    batch: list[tuple[Template, int, Department]] = []
    postgres = connection.vendor == "postgresql"

    def flush():
        nonlocal made, materials_made, documents_made
        item_ids = bulk.allocate_ids(Item, len(batch))
        version_ids = bulk.allocate_ids(ItemVersion, len(batch))
        items, versions, materials, links, sources = [], [], [], [], []
        for (template, variant, department), item_id, version_id in zip(
            batch, item_ids, version_ids, strict=True
        ):
            kind = kind_of(template, variant)
            region = department.region
            code = implementation_code(department, kind.basic_code)
            items.append(
                (
                    item_id,
                    code,
                    department.pk,
                    region.pk,
                    EXERCISE_LEVEL_CODE[Level(region.level)],
                    version_id,
                    *kind.item,
                )
            )
            versions.append((version_id, item_id, f"{region.name}政务服务中心", *kind.version))
            materials += [(version_id, *m) for m in kind.materials]
            links += [(version_id, theme_id) for theme_id in kind.theme_ids]
            sources.append(
                Source(
                    item_id=item_id,
                    version_number=1,
                    implementation_code=code,
                    name=kind.name,
                    aliases=kind.aliases,
                    region_code=region.pk,
                    department_id=department.pk,
                    department_name=department.name,
                    item_type=template.item_type,
                    audience_codes=template.audience,
                    theme_codes=kind.theme_codes,
                    theme_names=kind.theme_names,
                    is_sub_item=kind.is_sub_item,
                    conditions=template.conditions,
                    material_names=kind.material_names,
                    result_name=template.result,
                )
            )
        if postgres:  # the item and its version refer to each other: check both at the end
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        item_rows.write(items)
        version_rows.write(versions)
        materials_made += material_rows.write(materials)
        link_rows.write(links)
        documents_made += bulk_index(sources, batch_size=len(sources))
        if postgres:  # check this batch's keys now, not a million rows' at commit
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        made += len(items)
        batch.clear()

    with _page_cache(SQLITE_LOAD_CACHE_KIB):
        for entry in plan(count, seed):
            batch.append(entry)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    report = GenerateReport(made, materials_made, documents_made)
    audit.record(
        audit.Action.IMPORT,
        object_type="catalog.item",
        object_repr="基准测试事项",
        after={"items": made, "materials": materials_made, "documents": documents_made},
        reason="生成基准测试事项",
    )
    return report
