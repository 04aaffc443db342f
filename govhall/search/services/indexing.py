"""Keeping the search index in step with the published catalogue.

The catalogue's publish, suspend and cancel services call ``index_item`` / ``remove_item``
(through ``govhall.search.engine``) after their transaction commits; ``rebuild_index``
re-derives the whole index from the published items (after a dictionary change, a
restore, or to repair). Index rows are derived data, so single-item updates are not
audited row by row — the catalogue change that caused them is; a full rebuild appends
one summary entry.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from govhall.core.services import audit
from govhall.core.services.bulk import ModelRows

from .. import fulltext
from ..models import ItemDocument, SearchTerm
from ..text import has_cjk, index_tokens, keys, pinyin_tokens, precise_words

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """What the index needs of one published item (built without queries in bulk loads)."""

    item_id: int
    version_number: int
    implementation_code: str
    name: str
    aliases: list[str]
    region_code: str
    department_id: int
    department_name: str
    item_type: str
    audience_codes: str
    theme_codes: list[str]
    theme_names: list[str]
    is_sub_item: bool
    conditions: str
    material_names: list[str]
    result_name: str


def body_text(source: Source) -> str:
    """The searchable body, also the text snippets are cut from (one topic per line)."""
    lines = []
    if source.conditions:
        lines.append(f"受理条件：{source.conditions}")
    if source.material_names:
        lines.append("申请材料：" + "、".join(source.material_names))
    if source.result_name:
        lines.append(f"办理结果：{source.result_name}")
    lines.append(f"实施主体：{source.department_name}")
    if source.theme_names:
        lines.append("服务主题：" + "、".join(source.theme_names))
    return "\n".join(lines)


# Every filter token starts with one of these (PostgreSQL's name-and-filter index relies
# on it to tell that a Latin word or pinyin of a query cannot match a filter token).
FACET_PREFIXES = ("rg", "rp", "dp", "th", "ty", "au", "sub")


def facets(source: Source) -> str:
    """Filter tokens: region (itself and every prefix above), department, themes, ..."""
    code = source.region_code
    tokens = [f"rg{code}"]
    tokens += [f"rp{code[:n]}" for n in (2, 4, 6, 9, 12) if n <= len(code)]
    tokens.append(f"dp{source.department_id}")
    tokens += ["th" + "".join(ch for ch in t.lower() if ch.isalnum()) for t in source.theme_codes]
    tokens.append(f"ty{source.item_type.lower()}")
    tokens += [f"au{c}" for c in source.audience_codes if c.isdigit()]
    tokens.append("sub1" if source.is_sub_item else "sub0")
    return " ".join(tokens)


def build_document(source: Source) -> ItemDocument:
    return ItemDocument(**document_values(source))


def document_values(source: Source) -> dict:
    """The index row of one item, by field name (every field but ``id`` and ``indexed_at``)."""
    body = body_text(source)
    return dict(
        item_id=source.item_id,
        version_number=source.version_number,
        implementation_code=source.implementation_code,
        name=source.name[:200],
        aliases="、".join(source.aliases)[:500],
        region_code=source.region_code,
        department_id=source.department_id,
        department_name=source.department_name[:100],
        item_type=source.item_type,
        audience_codes=source.audience_codes,
        theme_codes=(" " + " ".join(source.theme_codes) + " ") if source.theme_codes else "",
        is_sub_item=source.is_sub_item,
        body=body,
        name_tokens=" ".join(index_tokens(source.name, unigrams=True)),
        alias_tokens=" ".join(index_tokens(" ".join(source.aliases), unigrams=True)),
        body_tokens=" ".join(t for line in body.splitlines() for t in index_tokens(line)),
        name_pinyin=" ".join(pinyin_tokens([source.name])),
        alias_pinyin=" ".join(pinyin_tokens(source.aliases)),
        name_keys=keys([source.name]),
        alias_keys=keys(source.aliases),
        facet_tokens=facets(source),
    )


# The columns ``document_values`` gives, in model order (``id`` and ``indexed_at`` are
# the database's and the moment's).
DOCUMENT_FIELDS = tuple(
    f.attname for f in ItemDocument._meta.concrete_fields if f.attname not in ("id", "indexed_at")
)


def name_terms(source: Source) -> set[str]:
    """Words of the name and aliases worth suggesting when a query has a typo."""
    return set(_name_terms((source.name, *source.aliases)))


@functools.lru_cache(maxsize=50_000)
def _name_terms(texts: tuple[str, ...]) -> frozenset[str]:
    # Cached: a bulk load repeats the same names in every region.
    terms = set()
    for text in texts:
        for word in precise_words(text):
            if len(word) >= 2 and has_cjk(word):
                terms.add(word[:60])
        if 2 <= len(text) <= 12 and has_cjk(text):
            terms.add(text)
    return frozenset(terms)


def source_of(item) -> Source | None:
    """The index source of an item, or None when it has no version in force."""
    from govhall.catalog.models import Item, ItemVersion, Material

    if item.status != Item.Status.ACTIVE or item.current is None:
        return None
    return next(iter(_chunk_sources([item], ItemVersion, Material)))


def _load(item_or_id):
    from govhall.catalog.models import Item

    pk = item_or_id.pk if hasattr(item_or_id, "pk") else item_or_id
    return Item.objects.select_related("current", "department").filter(pk=pk).first()


@transaction.atomic
def index_item(item) -> bool:
    """Index the item's version in force (or drop it from the index if none). True if indexed."""
    item = _load(item)
    if item is None:
        return False
    source = source_of(item)
    if source is None:
        ItemDocument.objects.filter(item_id=item.pk).delete()
        return False
    document = build_document(source)
    existing = ItemDocument.objects.filter(item_id=item.pk).values_list("pk", flat=True).first()
    if existing:
        document.pk = existing
        document.save(force_update=True)
    else:
        document.save(force_insert=True)
    add_terms(name_terms(source))
    return True


@transaction.atomic
def remove_item(item) -> None:
    """Take an item out of the index (suspended, cancelled, deleted)."""
    pk = item.pk if hasattr(item, "pk") else item
    ItemDocument.objects.filter(item_id=pk).delete()


def add_terms(terms: Iterable[str], counts: Counter | None = None) -> None:
    rows = [SearchTerm(term=t, frequency=(counts or {}).get(t, 1)) for t in terms]
    SearchTerm.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    from ..engine import invalidate_vocabulary

    invalidate_vocabulary()


def published_items():
    from govhall.catalog.models import Item

    return Item.objects.published().select_related("current", "department")


def bulk_index(sources: Iterable[Source], batch_size: int = 2000) -> int:
    """Insert documents for items not yet indexed (bulk loads, the benchmark generator).

    The rows are those ``build_document`` makes, written a batch at a time without
    model instances (``bulk.ModelRows``: COPY on PostgreSQL); the full-text index
    follows them as it follows any insert (trigger on SQLite, generated column on
    PostgreSQL).
    """
    writer = ModelRows(ItemDocument, list(DOCUMENT_FIELDS))
    constants = writer.constants(ItemDocument())
    count, batch, terms = 0, [], Counter()
    for source in sources:
        values = document_values(source)
        batch.append((*(values[name] for name in DOCUMENT_FIELDS), *constants))
        terms.update(_name_terms((source.name, *source.aliases)))
        if len(batch) >= batch_size:
            count += writer.write(batch)
            batch = []
    count += writer.write(batch)
    add_terms(terms, terms)
    return count


def _sources_in_bulk(items) -> Iterable[Source]:
    """Sources for many items with a fixed number of queries per chunk."""
    from govhall.catalog.models import ItemVersion, Material

    chunk = []
    for item in items.iterator(chunk_size=1000):
        chunk.append(item)
        if len(chunk) == 1000:
            yield from _chunk_sources(chunk, ItemVersion, Material)
            chunk = []
    if chunk:
        yield from _chunk_sources(chunk, ItemVersion, Material)


def _chunk_sources(items, ItemVersion, Material) -> Iterable[Source]:
    version_ids = [i.current_id for i in items]
    themes: dict[int, list[tuple[str, str]]] = {}
    through = ItemVersion.themes.through
    for version_id, code, name in (
        through.objects.filter(itemversion_id__in=version_ids)
        .order_by("theme__sort_order")
        .values_list("itemversion_id", "theme__code", "theme__name")
    ):
        themes.setdefault(version_id, []).append((code, name))
    materials: dict[int, list[str]] = {}
    for version_id, name in (
        Material.objects.filter(version_id__in=version_ids)
        .order_by("sort_order", "pk")
        .values_list("version_id", "name")
    ):
        materials.setdefault(version_id, []).append(name)
    for item in items:
        yield _source(item, themes.get(item.current_id, []), materials.get(item.current_id, []))


def _source(item, themes: list[tuple[str, str]], material_names: list[str]) -> Source:
    version = item.current
    return Source(
        item_id=item.pk,
        version_number=version.number,
        implementation_code=item.implementation_code,
        name=version.name,
        aliases=version.alias_list,
        region_code=item.region_id,
        department_id=item.department_id,
        department_name=item.department.name,
        item_type=item.item_type,
        audience_codes=version.audience_codes,
        theme_codes=[c for c, _ in themes],
        theme_names=[n for _, n in themes],
        is_sub_item=item.is_sub_item,
        conditions=version.conditions,
        material_names=material_names,
        result_name=version.result_name,
    )


@dataclass
class RebuildReport:
    documents: int
    terms: int


@transaction.atomic
def rebuild_index() -> RebuildReport:
    """Re-derive the whole index from the published catalogue."""
    ItemDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    count = bulk_index(_sources_in_bulk(published_items()))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(fulltext.SQLITE_REBUILD)
    report = RebuildReport(documents=count, terms=SearchTerm.objects.count())
    audit.record(
        audit.Action.IMPORT,
        object_type="search.itemdocument",
        object_repr="事项检索索引",
        after={"documents": report.documents, "terms": report.terms},
        reason="重建事项检索索引",
    )
    return report
