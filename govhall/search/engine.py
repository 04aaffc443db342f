"""Chinese full-text search over the published catalogue (the portal and ``/api/v1/items/?q=``).

``search_items(query, queryset=None, *, region=None, **filters)`` returns the published
items that match, best first, as a lazy sequence (``len()`` counts, slicing fetches one
page), so the API's paginator and the portal page through 100,000 items without
loading them. ``index_item`` / ``remove_item`` keep the index in step with publishing.

How a query is matched (all steps on SQLite FTS5 and PostgreSQL tsvector alike):

1. The query is cut into words (precise mode); adjacent words that together form a
   synonym (户口 迁移 → 户口迁移) are joined.
2. Every word must match (AND), where a word matches itself, any synonym from the
   synonym table, or — for a long compound such as 食品经营许可证 — all of its parts.
   Latin letters also match as pinyin or pinyin initials of names (yyzz, yingye*).
3. If nothing matches: the query is tried as pinyin (homophone typos: 营叶执照), then
   as a "did you mean" correction of one wrong character against the words of item
   names (营业执熙 → 营业执照), and finally with any word instead of every word. The
   result says which fallback was used, so the page can tell the person.

Ordering: first by strength (every query word in the item's name, then in name and
aliases, then anywhere), then the region's own items first (then its lower levels, then
the levels above, then the rest), then BM25 (SQLite) or ts_rank (PostgreSQL) with name
> aliases > pinyin > body. On PostgreSQL ts_rank orders the first ``RANK_LIMIT`` rows of
each strength (by region tier, then id); a broad query's rows past them follow in id
order within their tier (see ``_PostgreSQL``). Counts are exact, and remembered until
the index changes.
"""

from __future__ import annotations

import contextvars
import functools
import heapq
import html
import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from . import fulltext, synonyms
from .services.indexing import index_item, rebuild_index, remove_item
from .text import (
    _load_segmenter,
    cjk_runs,
    has_cjk,
    is_latin,
    is_letters,
    normalize,
    pinyin_forms,
    precise_words,
    query_pinyin,
    query_tokens,
)

__all__ = [
    "Filters",
    "SearchResults",
    "index_item",
    "rebuild_index",
    "remove_item",
    "search",
    "search_items",
]

MAX_QUERY_LENGTH = 100
TEXT_COLUMNS = ("name_tokens", "alias_tokens", "body_tokens")
PINYIN_COLUMNS = ("name_pinyin", "alias_pinyin")


# --- the query plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One token to look up: in the text columns, or as a pinyin prefix."""

    text: str
    pinyin: bool = False


Alternative = tuple[Term, ...]  # all terms must match
Group = tuple[Alternative, ...]  # any alternative may match


@dataclass(frozen=True)
class Plan:
    groups: tuple[Group, ...]
    words: tuple[str, ...]  # the query words, for highlighting and corrections
    any_group: bool = False  # OR of groups instead of AND

    def highlight_terms(self) -> set[str]:
        """Whole words only: the query's words and single-word synonyms (not the parts of
        a multi-word synonym such as 工商 of 工商执照, which would light up 个体工商户)."""
        terms = {w for w in self.words if not is_latin(w)}
        for group in self.groups:
            for alternative in group:
                if len(alternative) == 1 and not alternative[0].pinyin:
                    terms.add(alternative[0].text)
        return terms

    def pinyin_terms(self) -> set[str]:
        return {t.text for g in self.groups for a in g for t in a if t.pinyin}


def decompose(word: str) -> tuple[str, ...]:
    """The parts of a compound dictionary word (食品经营许可证 → 食品 经营 许可证).

    Of all ways to cover the word with shorter dictionary words, the one with the fewest
    single characters, then the fewest parts (single characters are indexed for names
    only, so a cover that needs them matches less).
    """
    if len(word) < 4 or not has_cjk(word):
        return ()
    found = {w for w in _load_segmenter().cut_all(word) if len(w) > 1 and w != word}
    # best[i] = (single characters, parts, cover) for word[i:]
    best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * len(word) + [(0, 0, ())]
    for start in range(len(word) - 1, -1, -1):
        options = [w for w in found if word.startswith(w, start)] + [word[start]]
        for piece in options:
            rest = best[start + len(piece)]
            if rest is None:
                continue
            candidate = (rest[0] + (len(piece) == 1), rest[1] + 1, (piece, *rest[2]))
            if best[start] is None or candidate[:2] < best[start][:2]:
                best[start] = candidate
    parts = best[0][2] if best[0] else ()
    return parts if len(parts) > 1 else ()


def _join_synonym_spans(words: list[str]) -> list[str]:
    """Join adjacent words that together are a synonym-table term (户口 迁移 → 户口迁移)."""
    table = synonyms.synonym_map()
    out, i = [], 0
    while i < len(words):
        for span in (3, 2):
            joined = "".join(words[i : i + span])
            if i + span <= len(words) and joined in table:
                out.append(joined)
                i += span
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _alternatives_for(word: str) -> Group:
    alternatives: list[Alternative] = []
    seen: set[Alternative] = set()

    def add(terms: tuple[Term, ...]) -> None:
        if terms and terms not in seen:
            seen.add(terms)
            alternatives.append(terms)

    if is_latin(word):
        add((Term(word),))
        if is_letters(word) and len(word) >= 2:
            add((Term(word, pinyin=True),))
        return tuple(alternatives)
    for variant in synonyms.expand(word):
        parts = [p for p in precise_words(variant) if p]
        if len(parts) == 1:
            add((Term(parts[0]),))
            pieces = decompose(parts[0])
            if pieces:
                add(tuple(Term(p) for p in pieces))
        elif parts:
            add(tuple(Term(p) for p in parts))
    return tuple(alternatives)


def plan_query(query: str) -> Plan:
    words = _join_synonym_spans(query_tokens(query[:MAX_QUERY_LENGTH]))
    groups = tuple(g for g in (_alternatives_for(w) for w in words) if g)
    return Plan(groups=groups, words=tuple(words))


def pinyin_plan(query: str) -> Plan | None:
    """A plan matching the query's sound against name pinyin (homophone typos)."""
    runs = [query_pinyin(run) for run in cjk_runs(query)]
    runs = [r for r in runs if len(r) >= 4]
    if not runs:
        return None
    groups = tuple(((Term(r, pinyin=True),),) for r in runs)
    return Plan(groups=groups, words=tuple(cjk_runs(query)))


def _simplified(plan: Plan) -> Plan:
    """The same matches with fewer phrases: an alternative that needs every term of
    another alternative of its word and more (工商 执照 next to 执照) adds no match.
    For counting and filtering; ranking keeps every phrase (each adds to BM25)."""
    groups = []
    for group in plan.groups:
        sets = [frozenset(a) for a in group]
        kept = [
            a
            for i, (a, terms) in enumerate(zip(group, sets, strict=True))
            if not any(other < terms or (other == terms and j < i) for j, other in enumerate(sets))
        ]
        groups.append(tuple(kept))
    return Plan(tuple(groups), plan.words, plan.any_group)


# --- rendering for each database -----------------------------------------------------------


def _fts5(
    plan: Plan,
    text_columns: tuple[str, ...] = TEXT_COLUMNS,
    pinyin_columns: tuple[str, ...] = PINYIN_COLUMNS,
    strong: bool = False,
) -> str:
    """The plan as an FTS5 MATCH expression; ``strong`` keeps whole-word alternatives only
    (what counts as a name match), and returns "" when some word has none."""
    columns = "{" + " ".join(text_columns) + "}"
    pinyin = "{" + " ".join(pinyin_columns) + "}"

    def term(t: Term) -> str:
        if t.pinyin:
            return f'{pinyin} : "{t.text}" *'
        return f'{columns} : "{t.text}"'

    def alternative(a: Alternative) -> str:
        return term(a[0]) if len(a) == 1 else "(" + " AND ".join(term(t) for t in a) + ")"

    def group(g: Group) -> str:
        if strong:
            g = tuple(a for a in g if len(a) == 1 or all(t.pinyin for t in a))
            if not g:
                return ""
        return alternative(g[0]) if len(g) == 1 else "(" + " OR ".join(map(alternative, g)) + ")"

    parts = [group(g) for g in plan.groups]
    if strong and not all(parts):
        return "" if not plan.any_group or not any(parts) else " OR ".join(p for p in parts if p)
    joiner = " OR " if plan.any_group else " AND "
    return joiner.join(parts)


def _tsquery(plan: Plan) -> str:
    def term(t: Term) -> str:
        if t.pinyin:
            return f"'{t.text}':*C"
        # A word whose Chinese characters all have a pinyin spelling is never a pinyin
        # token (weight C), so it needs no weight: GIN cannot check weights, and a query
        # with them rereads every matching row's vector to do so.
        if has_cjk(t.text) and not has_cjk(pinyin_forms(t.text)[0]):
            return f"'{t.text}'"
        return f"'{t.text}':ABD"

    def alternative(a: Alternative) -> str:
        return term(a[0]) if len(a) == 1 else "(" + " & ".join(term(t) for t in a) + ")"

    def group(g: Group) -> str:
        return alternative(g[0]) if len(g) == 1 else "(" + " | ".join(map(alternative, g)) + ")"

    joiner = " | " if plan.any_group else " & "
    return joiner.join(group(g) for g in plan.groups)


def _strong_tsquery(plan: Plan) -> str:
    """What ``_strength_sql`` looks for in the name keys, as a tsquery over their vector
    (fulltext.PG_NAME_KEYS): a word is a token, a pinyin term a token prefix; "" when
    some word has only compound parts (then no row is a name match)."""
    groups = []
    for group in plan.groups:
        alternatives = [
            "(" + " & ".join(f"'{t.text}':*" if t.pinyin else f"'{t.text}'" for t in a) + ")"
            for a in group
            if len(a) == 1 or all(t.pinyin for t in a)
        ]
        if not alternatives:
            return ""
        groups.append("(" + " | ".join(alternatives) + ")")
    return (" | " if plan.any_group else " & ").join(groups)


# --- filters and ordering ----------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Optional restrictions: ``region`` means the region and everything below it."""

    region: str | None = None
    department: int | None = None
    theme: str | None = None
    audience: str | None = None  # "person" / "company" or GB/T 39046 digits
    item_type: str | None = None
    include_sub_items: bool = True

    def facet_match(self) -> str:
        """The filters as FTS5 terms on the ``facet_tokens`` column (see indexing.facets)."""
        terms = []
        if self.region:
            terms.append(f"rp{_region_prefix(self.region)}")
        if self.department:
            terms.append(f"dp{int(self.department)}")
        if self.theme:
            terms.append("th" + re.sub(r"[^0-9a-z]", "", self.theme.lower()))
        if self.audience:
            codes = {"person": "1", "company": "23456"}.get(self.audience, self.audience)
            terms.append("(" + " OR ".join(f"au{c}" for c in codes if c.isdigit()) + ")")
        if self.item_type:
            terms.append("ty" + re.sub(r"[^0-9a-z]", "", self.item_type.lower()))
        if not self.include_sub_items:
            terms.append("sub0")
        if not terms:
            return ""
        return "{facet_tokens} : (" + " AND ".join(terms) + ")"

    def sql(self) -> tuple[list[str], list]:
        clauses, params = [], []
        if self.region:
            clauses.append("d.region_code LIKE %s")
            params.append(_region_prefix(self.region) + "%")
        if self.department:
            clauses.append("d.department_id = %s")
            params.append(int(self.department))
        if self.theme:
            clauses.append("d.theme_codes LIKE %s")
            params.append(f"% {self.theme} %")
        if self.audience:
            codes = {"person": "1", "company": "23456"}.get(self.audience, self.audience)
            parts = []
            for code in codes:
                parts.append("d.audience_codes LIKE %s")
                params.append(f"%{code}%")
            clauses.append("(" + " OR ".join(parts) + ")")
        if self.item_type:
            clauses.append("d.item_type = %s")
            params.append(self.item_type)
        if not self.include_sub_items:
            clauses.append("d.is_sub_item = %s")
            params.append(False)
        return clauses, params


def _region_prefix(code: str) -> str:
    """GB/T 2260 prefix shared by a region and its descendants (440000 → 44)."""
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def _ancestor_codes(code: str) -> list[str]:
    codes = []
    if len(code) > 6:
        codes.append(code[:6] if len(code) == 9 else code[:9])
        if len(code) == 12:
            codes.append(code[:6])
    base = code[:6]
    if not base.endswith("00"):
        codes.append(base[:4] + "00")
    if not base.endswith("0000"):
        codes.append(base[:2] + "0000")
    return [c for c in dict.fromkeys(codes) if c != code]


def _strength_sql(plan: Plan) -> tuple[str, list]:
    """0 when the name has every query word (or a synonym, or the pinyin), 1 when name
    and aliases together do, 2 for the rest (body matches, parts of compounds).

    This ranks relevance before region: a district's ID-card item beats a city item
    that merely mentions an ID card among its materials.
    """

    def condition(column: str) -> tuple[str, list]:
        groups_sql, params = [], []
        for group in plan.groups:
            alternatives = []
            for alternative in group:
                if len(alternative) > 1 and not all(t.pinyin for t in alternative):
                    continue  # parts of a compound: never a name match
                terms = []
                for term in alternative:
                    terms.append(f"{column} LIKE %s")
                    params.append(f"% {term.text}%" if term.pinyin else f"% {term.text} %")
                alternatives.append("(" + " AND ".join(terms) + ")")
            if not alternatives:
                return "1 = 0", []
            groups_sql.append("(" + " OR ".join(alternatives) + ")")
        joiner = " OR " if plan.any_group else " AND "
        return joiner.join(groups_sql) or "1 = 0", params

    name_sql, name_params = condition("d.name_keys")
    both_sql, both_params = condition("(d.name_keys || d.alias_keys)")
    sql = f"CASE WHEN {name_sql} THEN 0 WHEN {both_sql} THEN 1 ELSE 2 END"
    return sql, name_params + both_params


def _tier_sql(region_code: str | None) -> tuple[str, list]:
    """0 the region itself, 1 below it, 2.. the levels above (nearest first), then the rest."""
    if not region_code:
        return "0", []
    sql = "CASE WHEN d.region_code = %s THEN 0 WHEN d.region_code LIKE %s THEN 1 "
    params: list = [region_code, _region_prefix(region_code) + "%"]
    ancestors = _ancestor_codes(region_code)
    for tier, code in enumerate(ancestors, start=2):
        sql += f"WHEN d.region_code = %s THEN {tier} "
        params.append(code)
    return sql + f"ELSE {len(ancestors) + 2} END", params


def _next_prefix(prefix: str) -> str | None:
    """The least digit string above every code that starts with ``prefix`` (44 → 45,
    4409 → 4410), None past 99…9: the upper bound of an index range over its codes."""
    if not prefix.isdigit() or set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


def _tier_conditions(region_code: str | None) -> list[tuple[str, list, str]]:
    """The tiers of ``_tier_sql`` one by one, as conditions an index on the region code
    answers (a code, or a range of codes for "below it"; ``LIKE`` stays the rule, the
    range only lets the planner combine the region index with the match's GIN bitmap),
    each with the filter token its rows have (indexing.facets: ``rg<code>``,
    ``rp<prefix>``; "" for the catch-all); the last is the catch-all."""
    if not region_code:
        return [("TRUE", [], "")]

    def token(kind: str, code: str) -> str:
        usable = code.isdigit() and (kind == "rg" or len(code) in (2, 4, 6, 9, 12))
        return f"'{kind}{code}'" if usable else ""

    prefix = _region_prefix(region_code)
    below = "d.region_code LIKE %s AND d.region_code <> %s AND d.region_code >= %s"
    below_params: list = [prefix + "%", region_code, prefix]
    upper = _next_prefix(prefix)
    if upper is not None:
        below += " AND d.region_code < %s"
        below_params.append(upper)
    ancestors = _ancestor_codes(region_code)
    tiers = [
        ("d.region_code = %s", [region_code], token("rg", region_code)),
        (below, below_params, token("rp", prefix)),
    ]
    tiers += [("d.region_code = %s", [code], token("rg", code)) for code in ancestors]
    rest = "NOT (d.region_code LIKE %s" + " OR d.region_code = %s" * len(ancestors) + ")"
    return [*tiers, (rest, [prefix + "%", *ancestors], "")]


# --- execution ---------------------------------------------------------------------------


@dataclass
class Hit:
    item: object
    document: object
    score: float
    tier: int
    name_html: str = ""
    snippet_html: str = ""

    @property
    def is_own_region(self) -> bool:
        return self.tier == 0


def _queryset_sql(queryset) -> tuple[str, list]:
    """``EXISTS`` of the caller's queryset for the matched row (a primary-key probe per
    match, not a scan of the whole catalogue), or nothing when the queryset is just the
    published catalogue — which is exactly what the index holds."""
    from django.db.models.expressions import RawSQL

    from govhall.catalog.models import Item

    def sql_of(qs):
        return qs.order_by().values("pk").query.get_compiler(connection=connection).as_sql()

    if sql_of(queryset) == sql_of(Item.objects.published()):
        return "", []
    probe = queryset.order_by().filter(pk=RawSQL("d.item_id", ())).values("pk")
    sql, params = probe.query.get_compiler(connection=connection).as_sql()
    return f"EXISTS ({sql})", list(params)


# Counts of matches by statement, with the index generation they were read at
# (fulltext.GENERATION_TABLE); a hot term is counted once per index change, not per page.
COUNTS_KEPT = 512
# PostgreSQL: rows a page query ranks with ts_rank at most (see _PostgreSQL).
RANK_LIMIT = 500
# PostgreSQL: a page ending past this many rows of a bucket reads the bucket whole, in one
# statement (the grouping's walk in chunks of 500 would read and count most tiers, one
# statement each); a first page reads it tier by tier (see _PostgreSQL._ranked).
TIER_PAGE_LIMIT = 100
SHOWN_FIELDS = ("item_id", "name", "aliases", "body")
_counts_lock = threading.Lock()
_counts: OrderedDict[tuple[str, ...], tuple[int, int]] = OrderedDict()
# Inside one ``search()`` call: the index generation its first remembered count read. Its
# fallbacks (pinyin, correction, any word) each check a plan's count, and a remembered
# count is as current for them as for the first check, a few statements earlier — the
# generation is read once a search, not once a plan (a corrected query read it three
# times). A count read anew is read with its own generation, as always.
_search_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "search_scope", default=None
)


def _in_transaction() -> bool:
    """Whether the connection is inside a transaction Django did not open (SQLite's
    driver opens one itself before a write; PostgreSQL runs in autocommit)."""
    if connection.vendor == "sqlite":
        return connection.connection.in_transaction
    return not connection.get_autocommit()


@dataclass(frozen=True)
class _Tier:
    """A region tier of the SQLite backend: its rows as an FTS5 facet expression, and a
    facet term its rows have (with those of earlier tiers); both empty for the catch-all."""

    facet: str
    term: str


# SQLite: the most rows of a page's listed tiers whose BM25 the engine computes itself
# (``_SQLite._scored``: a highlight of the name columns per row) rather than FTS5.
SCORED_LIMIT = 2000
_PHRASE = re.compile(r'\{([a-z_ ]+)\} : "([^"]*)"( \*)?')
_MARKED = re.compile("\x01([^\x02]*)\x02")
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Phrase:
    """One phrase of an FTS5 expression ``_fts5`` wrote: a token (or a token prefix) in
    some columns (their indexes in ``fulltext.COLUMNS``)."""

    columns: tuple[int, ...]
    token: str
    prefix: bool

    @property
    def expression(self) -> str:
        names = " ".join(fulltext.COLUMNS[c] for c in self.columns)
        return f'{{{names}}} : "{self.token}"' + (" *" if self.prefix else "")

    def matches(self, token: str) -> bool:
        return token.startswith(self.token) if self.prefix else token == self.token


def _phrases(expression: str) -> list[_Phrase] | None:
    """The phrases of ``expression`` in FTS5's order, or None unless BM25 can be computed
    from highlights: each phrase one lower-case token, no NOT (whose right side FTS5
    3.40 sometimes leaves out of a row's instances)."""
    if " NOT " in expression or "NOT (" in expression:
        return None
    phrases = []
    for names, token, star in _PHRASE.findall(expression):
        if not _TOKEN.fullmatch(token) or token != token.lower():
            return None
        columns = tuple(fulltext.COLUMNS.index(name) for name in names.split())
        phrases.append(_Phrase(columns, token, bool(star)))
    # every phrase seen: none but the tokens, braces and operators _fts5 writes
    rest = _PHRASE.sub("", expression)
    if re.sub(r"[()\s]|AND|OR", "", rest):
        return None
    return phrases or None


def _json_union(arrays) -> str:
    """JSON arrays of rowids as one."""
    return "[" + ",".join(a[1:-1] for a in arrays if a != "[]") + "]"


_ITEM_RELATIONS = ("current", "department", "region")
_items_queries = threading.local()  # a connection belongs to one thread


class _ItemsQuery:
    """``Item.objects.select_related(*_ITEM_RELATIONS)`` of the ids in one parameter (a
    JSON array on SQLite, an array on PostgreSQL), compiled once: its SQL, and the
    compiler's columns and converters, with which each page's rows become items as
    Django's ``ModelIterable`` makes them (the item from its columns, each related row
    through ``RelatedPopulator``). With ``documents``, each item's index row comes in
    the same statement (the reverse one-to-one ``search_document``, a left join), with
    the fields ``.only(*SHOWN_FIELDS)`` loads: what ``_Backend.shown`` reads."""

    def __init__(self, documents: bool = False):
        from django.db.models.expressions import RawSQL

        from govhall.catalog.models import Item

        from .models import ItemDocument

        self.connection = connection
        if connection.vendor == "postgresql":
            ids = RawSQL("SELECT unnest(%s::bigint[])", ([],))
        else:
            ids = RawSQL("SELECT value FROM json_each(%s)", ("[]",))
        relations = (*_ITEM_RELATIONS, "search_document") if documents else _ITEM_RELATIONS
        queryset = Item.objects.select_related(*relations).filter(pk__in=ids).order_by()
        if documents:
            shown = {f.attname for f in _shown_columns()}
            queryset = queryset.defer(
                *(
                    f"search_document__{f.name}"
                    for f in ItemDocument._meta.concrete_fields
                    if f.attname not in shown
                )
            )
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, _ = compiler.as_sql()
        if compiler.annotation_col_map or queryset._known_related_objects:
            raise ImproperlyConfigured("the items' query selects more than the items")
        self.compiler, self.select, self.klass_info = compiler, compiler.select, compiler.klass_info
        self.converters = compiler.get_converters([column[0] for column in compiler.select])
        fields = self.klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.names = [column[0].target.attname for column in self.select[self.start : self.end]]
        self.model = Item
        self.documents = documents

    @classmethod
    def of_connection(cls, documents: bool = False) -> _ItemsQuery:
        """The thread's compiled query (a connection belongs to one thread)."""
        name = "with_documents" if documents else "query"
        query = getattr(_items_queries, name, None)
        if query is None or query.connection is not connection:
            query = cls(documents)
            setattr(_items_queries, name, query)
        return query

    def parameter(self, item_ids: list[int]):
        return list(item_ids) if self.connection.vendor == "postgresql" else json.dumps(item_ids)

    def build(self, rows: list[tuple]) -> dict[int, object]:
        from django.db.models.query import get_related_populators

        alias = self.connection.alias
        populators = get_related_populators(self.klass_info, self.select, alias)
        items = {}
        for row in self.compiler.apply_converters(rows, self.converters):
            item = self.model.from_db(alias, self.names, row[self.start : self.end])
            for populator in populators:
                populator.populate(row, item)
            items[item.pk] = item
        return items


@functools.cache
def _shown_columns() -> list:
    """The fields ``.only(*SHOWN_FIELDS)`` loads (the primary key and those), in the
    model's order, which ``Model.from_db`` expects."""
    from .models import ItemDocument

    wanted = {ItemDocument._meta.pk.attname, *SHOWN_FIELDS}
    return [f for f in ItemDocument._meta.concrete_fields if f.attname in wanted]


class _Backend:
    """Builds and runs the SQL of one plan; one subclass per database vendor."""

    def __init__(self, plan: Plan, filters: Filters, region_code: str | None, queryset):
        self.plan, self.filters, self.region_code, self.queryset = (
            plan,
            filters,
            region_code,
            queryset,
        )

    def _where(self) -> tuple[list[str], list]:
        clauses, params = self.filters.sql()
        if self.queryset is not None:
            sql, qs_params = _queryset_sql(self.queryset)
            if sql:
                clauses.append(sql)
                params += qs_params
        return clauses, params

    def _run(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _remembered_count(self, sql: str, params: list) -> int:
        """The count ``sql`` reads; remembered with the index generation, outside
        transactions (whose changes may yet be rolled back), until the index changes."""
        connection.ensure_connection()
        if connection.in_atomic_block or _in_transaction():
            return self._run(sql, params)[0][0]
        key = (connection.vendor, connection.settings_dict["NAME"], sql, repr(params))
        scope = _search_scope.get()  # inside search(): the generation its first check read
        generation = scope.get("generation") if scope is not None else None
        if generation is None:
            generation = self._run(fulltext.GENERATION, [])[0][0]
            if scope is not None:
                scope["generation"] = generation
        with _counts_lock:
            remembered = _counts.get(key)
            if remembered is not None and remembered[0] == generation:
                _counts.move_to_end(key)
                return remembered[1]
        # the generation and the count read in one statement: one snapshot
        generation, total = self._run(f"SELECT ({fulltext.GENERATION}), ({sql})", params)[0]
        with _counts_lock:
            _counts[key] = (generation, total)
            _counts.move_to_end(key)
            while len(_counts) > COUNTS_KEPT:
                _counts.popitem(last=False)
        return total

    def items(self, item_ids: list[int]) -> dict[int, object]:
        """The items, by id, with their version in force, department and region."""
        from govhall.catalog.models import Item

        selected = Item.objects.select_related(*_ITEM_RELATIONS)
        return {item.pk: item for item in selected.filter(pk__in=item_ids).order_by()}

    def shown(self, item_ids: list[int]) -> dict[int, object]:
        """The index rows of the items, by item id: what hits show (the token columns,
        the bulk of a row, load only if asked for)."""
        from .models import ItemDocument

        rows = ItemDocument.objects.filter(item_id__in=item_ids).only(*SHOWN_FIELDS)
        return {document.item_id: document for document in rows}


class _SQLite(_Backend):
    """FTS5 does everything inside the index: words, filters (as facet tokens) and the
    ranking buckets, so a page costs a few index lookups, never a scan of the matches.

    Buckets, in order: strength (name match, name-or-alias match, any match) × region
    tier (own region, below it, each level above, the rest); BM25 orders within a
    bucket. Only a caller's arbitrary queryset needs the join with an EXISTS probe.

    BM25 reads through the rows of every phrase of the MATCH expression (facet terms
    included) on each query, and looks up the size of every row it scores. So a page
    whose tiers are listed and small is scored here with remembered document
    frequencies (``_scored``); otherwise it ranks each strength once, over just the
    tiers it reaches (see ``_strength_page``),
    the tier of the most rows is matched as "in none of the others" rather than by its
    facet term, and a filter that every row meets is left out.
    """

    @functools.cached_property
    def _facets(self) -> str:
        """The filters as facet terms, without a region restriction that every row meets
        (a province's catalogue searched within the province: its prefix is a term of
        every row, which BM25 would read through on every ranked query)."""
        filters = self.filters
        if filters.region and not self._rows_outside(_region_prefix(filters.region)):
            filters = replace(filters, region=None)
        return filters.facet_match()

    def _rows_outside(self, prefix: str, codes: Sequence[str] = ()) -> bool:
        """Whether any indexed item has a region outside ``prefix`` other than ``codes``
        (a few seeks on the region index, however many items there are)."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        gaps = []  # (lower bound, its operator, upper bound) around the excluded codes
        low, op = None, ""
        for code in sorted(c for c in set(codes) if c < prefix):
            gaps.append((low, op, code))
            low, op = code, ">"
        gaps.append((low, op, prefix))
        low, op = upper, ">="
        for code in sorted(c for c in set(codes) if c >= upper):
            gaps.append((low, op, code))
            low, op = code, ">"
        gaps.append((low, op, None))
        clauses, params = [], []
        for low, op, high in gaps:
            where = []
            if low is not None:
                where.append(f"region_code {op} %s")
                params.append(low)
            if high is not None:
                where.append("region_code < %s")
                params.append(high)
            clauses.append(
                f"EXISTS (SELECT 1 FROM search_itemdocument WHERE {' AND '.join(where)})"
            )
        return bool(self._run(f"SELECT {' OR '.join(clauses)}", params)[0][0])

    def _match(self, text: str, tier: str = "") -> str:
        parts = [f"({text})"]
        facets = self._facets
        if facets:
            parts.append(f"({facets})")
        if tier:
            parts.append(tier)
        expression = " AND ".join(p for p in parts if not p.startswith("NOT "))
        for p in parts:
            if p.startswith("NOT "):
                expression = f"({expression}) NOT {p[4:]}"
        return expression

    def _tiers(self) -> list[str]:
        if not self.region_code:
            return [""]
        own, prefix = f"rg{self.region_code}", f"rp{_region_prefix(self.region_code)}"
        ancestors = [f"rg{code}" for code in _ancestor_codes(self.region_code)]
        near = " OR ".join([prefix, *ancestors])
        tiers = [
            f"{{facet_tokens}} : {own}",
            f"({{facet_tokens}} : {prefix}) NOT ({{facet_tokens}} : {own})",
        ]
        tiers += [f"{{facet_tokens}} : {a}" for a in ancestors]
        tiers.append(f"NOT ({{facet_tokens}} : ({near}))")
        return tiers

    def _page_tiers(self) -> list[_Tier]:
        """The tiers of ``_tiers``, in order and numbered alike, with a catch-all whose
        rows are those of no other tier: the rest or — when no item lies outside the
        region, its lower levels and the levels above, as in a province's own catalogue
        — the lower levels, so that the province prefix, a term of every row, is never
        looked up. A rest without any item is left out (it would come last)."""
        if not self.region_code:
            return [_Tier("", "")]
        own, prefix = f"rg{self.region_code}", f"rp{_region_prefix(self.region_code)}"
        ancestors = _ancestor_codes(self.region_code)
        tiers = [
            _Tier(f"{{facet_tokens}} : {own}", own),
            _Tier(f"({{facet_tokens}} : {prefix}) NOT ({{facet_tokens}} : {own})", prefix),
        ]
        tiers += [_Tier(f"{{facet_tokens}} : rg{a}", f"rg{a}") for a in ancestors]
        if self._rows_outside(_region_prefix(self.region_code), ancestors):
            tiers.append(_Tier("", ""))
        else:
            tiers[1] = _Tier("", "")
        return tiers

    def _strengths(self) -> list[tuple[str, str]]:
        """Per strength: the expression to rank by, and an equivalent one to match by."""
        full, full_match = _fts5(self.plan), _fts5(_simplified(self.plan))
        name = _fts5(self.plan, ("name_tokens",), ("name_pinyin",), strong=True)
        alias = _fts5(self.plan, ("name_tokens", "alias_tokens"), strong=True)
        strengths = []
        if name:
            strengths.append((name, name))
        if alias:
            alias_only = f"({alias}) NOT ({name})" if name else alias
            strengths.append((alias_only, alias_only))
            strengths.append((f"({full}) NOT ({alias})", f"({full_match}) NOT ({alias})"))
        else:
            strengths.append((full, full_match))
        return strengths

    def _buckets(self) -> list[str]:
        return [self._match(s, t) for s, _ in self._strengths() for t in self._tiers()]

    def _joined(self) -> tuple[str, list]:
        sql = (
            "FROM search_item_fts JOIN search_itemdocument d ON d.id = search_item_fts.rowid "
            "WHERE search_item_fts MATCH %s"
        )
        params = [self._match(_fts5(_simplified(self.plan)))]
        if self.queryset is not None:
            probe, probe_params = _queryset_sql(self.queryset)
            if probe:
                sql += " AND " + probe
                params += probe_params
        return sql, params

    def _needs_join(self) -> bool:
        return self.queryset is not None and bool(_queryset_sql(self.queryset)[0])

    def exists(self) -> bool:
        if self._needs_join():
            sql, params = self._joined()
            return bool(self._run(f"SELECT 1 {sql} LIMIT 1", params))
        # Remembered per index generation, as counts are: every search (and each of its
        # fallbacks) asks first whether its plan matches at all, and for a pinyin prefix
        # such as "yyzz" * that took 8–13 ms at 1,000,000 items, LIMIT 1 or not.
        sql = "SELECT EXISTS (SELECT 1 FROM search_item_fts WHERE search_item_fts MATCH %s)"
        return bool(self._remembered_count(sql, [self._match(_fts5(_simplified(self.plan)))]))

    def count(self) -> int:
        if self._needs_join():
            sql, params = self._joined()
            return self._run(f"SELECT count(*) {sql}", params)[0][0]
        return self._count(self._match(_fts5(_simplified(self.plan))))

    def _count(self, expression: str) -> int:
        sql = "SELECT count(*) FROM search_item_fts WHERE search_item_fts MATCH %s"
        return self._remembered_count(sql, [expression])

    def _expression(self, text: str, facet: str = "", terms: Sequence[str] = ()) -> str:
        """``text`` and the filters, in the tier ``facet`` or having one of the facet
        ``terms``."""
        expression = f"({text})"
        filters = self._facets
        if filters:
            expression += f" AND ({filters})"
        if facet:
            expression += f" AND ({facet})"
        if terms:
            expression += " AND {facet_tokens} : (" + " OR ".join(terms) + ")"
        return expression

    def page(self, offset: int, limit: int) -> list[tuple[int, float, int, int]]:
        if self._needs_join():
            rows = self._page_probed(offset, limit)
        else:
            rows, tiers = [], self._page_tiers()
            for strength, (ranked, matched) in enumerate(self._strengths()):
                if len(rows) >= limit:
                    break
                found, offset = self._strength_page(
                    ranked, matched, tiers, offset, limit - len(rows)
                )
                rows += [(rowid, rank, tier, strength) for rowid, rank, tier in found]
        if not rows:
            return []
        documents = self._documents([r[0] for r in rows])
        self._shown = {document.item_id: document for document in documents.values()}
        return [(documents[r[0]].item_id, *r[1:]) for r in rows if r[0] in documents]

    def items(self, item_ids: list[int]) -> dict[int, object]:
        """What ``_Backend.items`` loads, through a statement compiled once per thread
        (``_ItemsQuery``): compiling the join of four tables and a hundred columns cost
        as much as building the twenty items from its rows."""
        if not item_ids:
            return {}
        query = _ItemsQuery.of_connection()
        return query.build(self._run(query.sql, [query.parameter(item_ids)]))

    def _documents(self, rowids: list[int]) -> dict[int, object]:
        """The index rows ``rowids`` by id, loaded with ``SHOWN_FIELDS`` only — what
        ``ItemDocument.objects.filter(pk__in=rowids).only(*SHOWN_FIELDS)`` loads, built
        from one plain statement (the ORM's compiling and row handling cost more than
        the read; none of these columns has a converter on SQLite)."""
        from .models import ItemDocument

        fields = _shown_columns()
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = (
            f"SELECT {columns} FROM {ItemDocument._meta.db_table} "
            "WHERE id IN (SELECT value FROM json_each(%s))"
        )
        names = [f.attname for f in fields]
        alias = connection.alias
        return {
            row[0]: ItemDocument.from_db(alias, names, row)
            for row in self._run(sql, [json.dumps(rowids)])
        }

    def shown(self, item_ids: list[int]) -> dict[int, object]:
        remembered = getattr(self, "_shown", {})  # of the page just read
        if all(i in remembered for i in item_ids):
            return {i: remembered[i] for i in item_ids}
        return super().shown(item_ids)

    def _strength_page(
        self, ranked: str, matched: str, tiers: list[_Tier], offset: int, limit: int
    ) -> tuple[list[tuple[int, float, int]], int]:
        """Rows ``offset`` to ``offset + limit`` of one strength, ordered by tier, BM25
        and rowid, and what is left of the offset for the next strength.

        The tiers before the catch-all are listed unranked, in order, until they hold
        the page; then the page's tiers are ranked in one query (BM25 reads the document
        frequency of each phrase once per query), each row's tier told by the lists. The
        ranked query names tiers by their own terms, never by NOT: FTS5 (3.40) scores
        some rows of ``(a AND b) NOT c`` as if a phrase of theirs were missing.
        """
        listed: dict[int, tuple[int, str]] = {}  # tier → (rows, JSON array of the rowids)

        def listing(tier: int) -> tuple[int, str]:
            if tier not in listed:
                sql = (
                    "SELECT count(*), json_group_array(rowid) FROM search_item_fts "
                    "WHERE search_item_fts MATCH %s"
                )
                expression = self._expression(matched, tiers[tier].facet)
                listed[tier] = tuple(self._run(sql, [expression])[0])
            return listed[tier]

        chosen: list[int] = []
        covered = 0  # rows of the chosen listed tiers
        for tier, spec in enumerate(tiers):
            if not spec.facet:
                chosen += range(tier, len(tiers))
                break
            rows, _ = listing(tier)
            if not chosen and offset >= rows:
                offset -= rows
                continue
            chosen.append(tier)
            covered += rows
            if covered - offset >= limit:
                break
        catch_all = next((t for t in chosen if not tiers[t].facet), None)
        terms = [tiers[t].term for t in chosen] if catch_all is None else []
        where, params = ["search_item_fts MATCH %s"], [self._expression(ranked, terms=terms)]
        skipped = list(range(chosen[0]))  # listed; the match may hold their rows
        if skipped:
            where.append("+rowid NOT IN (SELECT value FROM json_each(%s))")
            params.append(_json_union(listing(t)[1] for t in skipped))
        told = [t for t in chosen if t != catch_all]  # tiers told by their lists
        if catch_all is None and covered <= SCORED_LIMIT:
            phrases = _phrases(ranked)
            # FTS5 keeps a write transaction's row count in memory, not in its record
            if phrases is not None and not (connection.in_atomic_block or _in_transaction()):
                rows = self._scored(phrases, where, params, {t: listing(t)[1] for t in told})
                rows.sort(key=lambda row: (row[2], row[1], row[0]))
                found = rows[offset : offset + limit]
                return found, 0 if found or not offset else max(0, offset - covered)
        last = catch_all if catch_all is not None else told.pop()
        cases, case_params = [], []
        for tier in told:
            cases.append(f"WHEN rowid IN (SELECT value FROM json_each(%s)) THEN {tier}")
            case_params.append(listing(tier)[1])
        tier_sql = f"CASE {' '.join(cases)} ELSE {last} END" if cases else str(last)
        sql = (
            f"SELECT rowid, rank, {tier_sql} AS tier FROM search_item_fts "
            f"WHERE {' AND '.join(where)} ORDER BY tier, rank, rowid LIMIT %s OFFSET %s"
        )
        found = self._run(sql, [*case_params, *params, limit, offset])
        if found or not offset:
            return found, 0
        # nothing left on this strength: how much of the offset did it use up?
        if catch_all is None:
            return found, max(0, offset - covered)
        sql = f"SELECT count(*) FROM search_item_fts WHERE {' AND '.join(where)}"
        return found, max(0, offset - self._run(sql, params)[0][0])

    def _scored(
        self, phrases: list[_Phrase], where: list[str], params: list, told: dict[int, str]
    ) -> list[tuple[int, float, int]]:
        """(rowid, BM25, tier) of the rows ``where`` selects, BM25 computed here as FTS5
        would (``fulltext.BM25``) with each phrase's document frequency remembered per
        index generation: FTS5 counts them on every ranked query, a read through all
        the rows of every phrase (a broad word's hundreds of thousands), however few
        rows the query ranks. The phrases' instances are read with ``highlight`` of the
        columns they are in; ``told`` holds each tier's rowids."""
        columns = sorted({c for phrase in phrases for c in phrase.columns if fulltext.WEIGHTS[c]})
        hits = [self._count(phrase.expression) for phrase in phrases]
        table = fulltext.FTS_TABLE
        marked = ", ".join(f"highlight({table}, {c}, char(1), char(2))" for c in columns)
        sql = (
            f"SELECT rowid, ({fulltext.SQLITE_AVERAGES}), ({fulltext.SQLITE_DOCSIZE}), {marked} "
            f"FROM {table} WHERE {' AND '.join(where)}"
        )
        tier_of = {rowid: t for t, ids in reversed(told.items()) for rowid in json.loads(ids)}
        last = max(told)  # rows of no other tier's list are the last tier's
        rows, bm25 = [], None
        scores: dict[tuple, float] = {}  # rows with the same marks and sizes score alike
        for rowid, averages, size, *texts in self._run(sql, params):
            bm25 = bm25 or fulltext.BM25(averages, hits)
            key = (size, *texts)
            if key not in scores:
                frequencies = [0.0] * len(phrases)
                for column, text in zip(columns, texts, strict=True):
                    weight = fulltext.WEIGHTS[column]
                    for token in _MARKED.findall(text or ""):
                        token = token.lower()
                        for index, phrase in enumerate(phrases):
                            if column in phrase.columns and phrase.matches(token):
                                frequencies[index] += weight
                scores[key] = bm25(frequencies, size)
            rows.append((rowid, scores[key], tier_of.get(rowid, last)))
        return rows

    def _page_probed(self, offset: int, limit: int) -> list[tuple[int, float, int, int]]:
        """One bucket after the other, joined with the caller's queryset probe."""
        rows: list[tuple[int, float, int, int]] = []
        probe, probe_params = _queryset_sql(self.queryset)
        tiers = len(self._tiers())
        for index, expression in enumerate(self._buckets()):
            if len(rows) >= limit:
                break
            sql = (
                "SELECT search_item_fts.rowid, search_item_fts.rank FROM search_item_fts "
                "JOIN search_itemdocument d ON d.id = search_item_fts.rowid "
                f"WHERE search_item_fts MATCH %s AND {probe}"
            )
            params = [expression, *probe_params]
            if offset:
                total = self._run(f"SELECT count(*) FROM ({sql})", params)[0][0]
                if total <= offset:
                    offset -= total
                    continue
            found = self._run(
                f"{sql} ORDER BY rank LIMIT %s OFFSET %s", [*params, limit - len(rows), offset]
            )
            offset = 0
            rows += [(rowid, rank, index % tiers, index // tiers) for rowid, rank in found]
        return rows

    def facet(self, column: str) -> list[tuple[str, int]]:
        sql, params = self._joined()
        return self._run(
            f"SELECT d.{column}, count(*) {sql} GROUP BY d.{column} ORDER BY count(*) DESC",
            params,
        )


class _PostgreSQL(_Backend):
    """GIN lookups for the match, the strength buckets and the count, ``ts_rank`` for a
    bounded set of rows.

    A page walks the strength buckets in order (name match, name-or-alias match, the
    rest), each an index lookup (fulltext.PG_NAME_KEYS, PG_KEYS); within a bucket it
    reads each row's region tier (no vector) and ranks the rows of the tiers the page
    reaches, at most ``RANK_LIMIT`` of them: the first by tier and id. Rows past the
    limit follow the ranked rows of their tier, by id (a broad query's later pages;
    paging stays stable). A bucket is read and a row ranked once per search (the
    grouping walks a broad query in ten chunks). Counts are remembered per index
    generation, as on SQLite.
    The query goes in as a sub-select, so the planner uses the GIN index whatever it
    guesses of the number of matches (a sequential scan reads every row's vector).
    """

    WEIGHTS = "{0.1, 0.4, 0.6, 1.0}"  # D body, C pinyin, B aliases, A name
    QUERY = "(SELECT to_tsquery('simple'::regconfig, %s))"

    def __init__(self, *args):
        super().__init__(*args)
        self._tiers = _tier_conditions(self.region_code)
        # the name bucket's words, filters and whether to check the name's vector too,
        # when its tiers are looked up with the filter tokens (see _tier_where)
        self._name_facets: tuple[str, list[str], list, bool] | None = None
        # (strength, tier) → the first rows of the tier by id read so far, and whether
        # that is all of them
        self._read: dict[tuple[int, int], tuple[list[tuple[int, int]], bool]] = {}
        self._scores: dict[int, float] = {}  # document id → -ts_rank
        self._total: int | None = None  # the count, once read

    def _match(self) -> tuple[str, list]:
        clauses, params = self._where()
        sql = f"d.search_vector @@ {self.QUERY}"
        if clauses:
            sql += " AND " + " AND ".join(clauses)
        return sql, [_tsquery(self.plan), *params]

    def _from(self) -> tuple[str, list]:
        where, params = self._match()
        return f"FROM search_itemdocument d WHERE {where}", params

    def exists(self) -> bool:
        return self.count() > 0

    def count(self) -> int:
        """Read once per search, as its pages are: ``search`` hands the backend that
        found a match to the results, whose ``len()`` then costs no statement."""
        if self._total is None:
            sql, params = self._from()
            self._total = self._remembered_count("SELECT count(*) " + sql, params)
        return self._total

    def _strengths(self) -> list[tuple[str, list] | None]:
        """The condition of each strength bucket (None: the bucket is empty)."""
        strong = _strong_tsquery(self.plan)
        if not strong:
            return [None, None, ("TRUE", [])]
        name = f"{fulltext.PG_NAME_KEYS} @@ {self.QUERY}"
        keys = f"{fulltext.PG_KEYS} @@ {self.QUERY}"
        return [
            (name, [strong]),
            (f"{keys} AND d.id NOT IN {_ids_where(name)}", [strong, strong]),
            (f"d.id NOT IN {_ids_where(keys)}", [strong]),
        ]

    def _implied(self) -> bool:
        """Whether a name (or name-or-alias) match is a match: its Chinese words are among
        the name's (aliases') tokens and its pinyin among their pinyin. A Latin word in
        the keys may be pinyin, which the match takes for a word only when the word's
        pinyin alternative is in the group too (``yyzz`` as a word or as pinyin). Then
        the first two buckets are read from their own small index alone."""

        def implied(term: Term, group: Group) -> bool:
            if term.pinyin or (has_cjk(term.text) and not has_cjk(pinyin_forms(term.text)[0])):
                return True
            return (Term(term.text, pinyin=True),) in group

        return all(
            implied(t, g)
            for g in self.plan.groups
            for a in g
            if len(a) == 1 or all(t.pinyin for t in a)
            for t in a
        )

    def page(self, offset: int, limit: int) -> list[tuple[int, float, int, int]]:
        if not offset and 0 < limit <= TIER_PAGE_LIMIT and not self._read:
            self._read_first_page(limit)
        rows: list[tuple[int, float, int, int]] = []
        for strength, where, params in self._bucket_conditions():
            if len(rows) >= limit:
                break
            if offset:
                total = self._known_total(strength)
                if total is None:
                    total = self._remembered_count(
                        f"SELECT count(*) FROM search_itemdocument d WHERE {where}", params
                    )
                if total <= offset:
                    offset -= total
                    continue
            found = self._ranked(strength, where, params, offset, limit - len(rows))
            offset = 0
            rows += [(item_id, score, tier, strength) for item_id, score, tier in found]
        return rows

    def _read_first_page(self, limit: int) -> None:
        """What a first page of ``limit`` rows reads, in at most two statements: the first
        tier of the first bucket, as the page would read it (``_tier_rows``), and — only
        when that does not fill the page — the bucket's other tiers and the next bucket's
        first tier in one more (``_read_steps``), not a round trip each. The page then
        finds what it needs in what was read (a page that goes on past those reads the
        rest tier by tier, as before); a broad query's first page reads one tier. (The
        next bucket's other tiers in that statement too: fewer statements, but planning
        the steps cost more than the round trips saved — eighth pass.)"""
        buckets = list(self._bucket_conditions())
        if not buckets:
            return
        want = max(limit, RANK_LIMIT)  # what _ranked wants of a first page's first tier
        strength, where, params = buckets[0]
        first = self._tier_rows(strength, 0, where, params, want, RANK_LIMIT)
        if len(first) >= limit:
            return
        steps = [(strength, tier, where, params) for tier in range(1, len(self._tiers))]
        steps += [(s, 0, w, p) for s, w, p in buckets[1:2]]
        if steps:
            self._read_steps(steps, limit, want, {strength: len(first)})

    def _read_steps(
        self, steps: list[tuple[int, int, str, list]], limit: int, want: int, read: dict[int, int]
    ) -> None:
        """The (strength, tier) ``steps`` of a first page in one statement, each read as
        ``_tier_rows`` would read it (its first ``want`` rows by id, at least what the
        page wants of it; a bucket's rows within ``RANK_LIMIT`` ranked). Each step after
        the first is gated on the rows before it (the ``read`` ones included) being
        fewer than ``limit``, where the page's walk stops: the planner makes that a
        one-time filter, so a step past the full page looks nothing up, and it is not
        kept as read."""
        ctes, arms, params = [], [], []
        for k, (strength, tier, where, bucket_params) in enumerate(steps):
            tier_where, tier_params = self._tier_where(strength, tier, where, bucket_params)
            gate = ""
            if k:  # n{k-1}: the rows of the steps up to k - 1
                gate = f" AND (SELECT n FROM n{k - 1}) < %s"
                tier_params = [*tier_params, limit - sum(read.values())]
            ctes.append(
                f"s{k} AS MATERIALIZED (SELECT d.id, d.item_id "
                f"FROM search_itemdocument d WHERE {tier_where}{gate} ORDER BY d.id LIMIT %s)"
            )
            params += [*tier_params, want]
            if k < len(steps) - 1:
                before = f" + (SELECT n FROM n{k - 1})" if k else ""
                ctes.append(f"n{k} AS MATERIALIZED (SELECT count(*){before} AS n FROM s{k})")
            arms.append(f"SELECT {k} AS k, {strength} AS strength, %s AS ranked, * FROM s{k}")
        ranked = [max(0, RANK_LIMIT - read.get(strength, 0)) for strength, *_ in steps]
        sql = (
            f"WITH {', '.join(ctes)}, u AS MATERIALIZED (SELECT u.k, u.id, u.item_id, "
            "row_number() OVER (PARTITION BY u.strength ORDER BY u.k, u.id) <= u.ranked AS ranked "
            f"FROM ({' UNION ALL '.join(arms)}) u WHERE {_NO_WORKERS}) "
            "SELECT u.k, u.id, u.item_id, s.score FROM u LEFT JOIN "
            f"({self._ranking('ARRAY(SELECT u.id FROM u WHERE u.ranked)')}) s "
            "ON s.document_id = u.id ORDER BY u.k, u.id"
        )
        rows = self._run(sql, [*params, *ranked, self.WEIGHTS, _tsquery(self.plan)])
        by_step: dict[int, list[tuple[int, int]]] = {}
        for k, id_, item_id, score in rows:
            by_step.setdefault(k, []).append((id_, item_id))
            if score is not None:
                self._scores[id_] = score
        on_page = sum(read.values())
        for k, (strength, tier, *_) in enumerate(steps):
            if on_page >= limit:
                break  # the gate kept this step and the later ones out
            step_rows = by_step.get(k, [])
            self._read[(strength, tier)] = (step_rows, len(step_rows) < want)
            on_page += len(step_rows)

    def _ranking(self, ids: str) -> str:
        """(document_id, score) of the documents in the array ``ids``, ``-ts_rank`` of
        their vectors (parameters: the weights, the query) read from the ranking table
        (``fulltext.RANKING_TABLE``: in a narrow row, where the document's own is out
        of line in TOAST) in one index scan of the array. At 1,000,000 items the
        benchmark's ranking statements spent 26–47 % less on ranking than with the
        document's vector, a lookup per row 16–32 % less (docs/performance.md, ninth
        pass)."""
        return (
            f"SELECT r.document_id, -ts_rank(%s::float4[], r.vector, {self.QUERY}) AS score "
            f"FROM {fulltext.RANKING_TABLE} r WHERE r.document_id = ANY({ids})"
        )

    def _bucket_conditions(self) -> Iterator[tuple[int, str, list]]:
        """(strength, WHERE clause, its parameters) of each non-empty strength bucket, in
        order: the first two from their own small index alone when a name match implies
        a match (``_implied``), else with the match itself."""
        match, match_params = self._match()
        clauses, filter_params = self._where()
        implied = self._implied()
        strong = _strong_tsquery(self.plan)
        if implied and strong:
            self._name_facets = (strong, clauses, filter_params, self._may_match_filter_tokens())
        for strength, condition in enumerate(self._strengths()):
            if condition is None:
                continue
            if implied and strength < 2:
                where = " AND ".join([condition[0], *clauses])
                yield strength, where, [*condition[1], *filter_params]
            else:
                yield strength, f"{match} AND {condition[0]}", [*match_params, *condition[1]]

    def _known_total(self, strength: int) -> int | None:
        """The bucket's number of rows when every tier of it has been read."""
        read = [self._read.get((strength, tier)) for tier in range(len(self._tiers))]
        if all(r is not None and r[1] for r in read):
            return sum(len(r[0]) for r in read)
        return None

    def _ranked(
        self, strength: int, where: str, params: list, offset: int, limit: int
    ) -> list[tuple[int, float, int]]:
        """Rows ``offset`` to ``offset + limit`` of one bucket by tier, rank and id: the
        first ``RANK_LIMIT`` rows by tier and id ranked, the others after the ranked rows
        of their tier, by id (as if their rank were 0).

        The tiers are read one by one, each an index lookup of its region codes combined
        with the bucket's (a bitmap AND), and only as far as the page goes: a tier's
        first rows by id, as many as the page or the ranking needs (a broad query's own
        region usually fills the page, and the catch-all is never read then). A later
        page skips whole tiers by their remembered counts. What was read, and each
        row's rank, is kept for the search: the grouping's walk pages the same buckets
        ten times."""
        end = offset + limit
        if end > TIER_PAGE_LIMIT and self._known_total(strength) is None:
            self._read_whole(strength, where, params)
        before = 0  # rows of the bucket in earlier tiers
        reached = []  # (tier, its rows read, how many are ranked, the page's first row in it)
        for tier in range(len(self._tiers)):
            if before >= end:
                break
            start = max(0, offset - before)
            read = self._read.get((strength, tier))
            if start and not (read and read[1]):
                tier_where, tier_params = self._tier_where(strength, tier, where, params)
                count = self._remembered_count(
                    f"SELECT count(*) FROM search_itemdocument d WHERE {tier_where}", tier_params
                )
                if count <= start:
                    before += count
                    continue
            ranked = max(0, RANK_LIMIT - before)  # rows of the tier within the bound
            want = max(end - before, ranked if start < ranked else 0)
            rows = self._tier_rows(strength, tier, where, params, want, ranked)
            reached.append((tier, rows, ranked, start, end - before))
            before += len(rows)
        unscored = [
            id_
            for _, rows, ranked, *_ in reached
            for id_, _ in rows[:ranked]
            if id_ not in self._scores
        ]
        if unscored:  # the tiers' rows within the bound, ranked in one statement
            sql = self._ranking("%s")
            self._scores.update(self._run(sql, [self.WEIGHTS, _tsquery(self.plan), unscored]))
        found: list[tuple[int, float, int]] = []
        for tier, rows, ranked, start, stop in reached:
            scored = sorted((self._scores[id_], id_, item_id) for id_, item_id in rows[:ranked])
            rest = ((0.0, id_, item_id) for id_, item_id in rows[ranked:])
            ordered = itertools.islice(heapq.merge(scored, rest), start, stop)
            found += [(item_id, score, tier) for score, _id, item_id in ordered]
        return found

    def _read_whole(self, strength: int, where: str, params: list) -> None:
        """Every tier of the bucket in one statement: a long page (the grouping's walk
        through a broad query) would otherwise read most tiers, and count them, one
        statement each, each building the bucket's bitmap again."""
        tier_sql, tier_params = _tier_sql(self.region_code)
        rows = self._run(
            f"SELECT d.id, d.item_id, {tier_sql} AS tier FROM search_itemdocument d "
            f"WHERE {where} ORDER BY tier, d.id",
            [*tier_params, *params],
        )
        by_tier: dict[int, list[tuple[int, int]]] = {t: [] for t in range(len(self._tiers))}
        for id_, item_id, tier in rows:
            by_tier[tier].append((id_, item_id))
        for tier, tier_rows in by_tier.items():
            self._read[(strength, tier)] = (tier_rows, True)

    def _tier_rows(
        self, strength: int, tier: int, where: str, params: list, want: int, ranked: int = 0
    ) -> list[tuple[int, int]]:
        """(document id, item id) of the bucket's rows in the tier, by id: the first
        ``want`` of them, or all when there are no more (read on from what this search
        has read of the tier already). The rows among the tier's first ``ranked`` are
        ranked by the same statement (one round trip, not two: a broad query's first
        page reads one tier); their vectors are read only for those rows."""
        rows, complete = self._read.get((strength, tier), ([], False))
        if complete or len(rows) >= want:
            return rows
        tier_where, more_params = self._tier_where(strength, tier, where, params)
        to_rank = max(0, ranked - len(rows))  # of the rows read now, the first to_rank
        sql = (
            "SELECT d.id, d.item_id FROM search_itemdocument d "
            f"WHERE {tier_where} AND {_NO_WORKERS}"
        )
        if rows:
            sql += " AND d.id > %s"
            more_params.append(rows[-1][0])
        sql += " ORDER BY d.id LIMIT %s"
        more_params.append(want - len(rows))
        if to_rank:
            # the first to_rank rows' vectors, and only theirs, from the ranking table
            ranking = self._ranking("ARRAY(SELECT t.id FROM t ORDER BY t.id LIMIT %s)")
            sql = (
                f"WITH t AS MATERIALIZED ({sql}) SELECT t.id, t.item_id, s.score FROM t "
                f"LEFT JOIN ({ranking}) s ON s.document_id = t.id ORDER BY t.id"
            )
            more_params = [*more_params, self.WEIGHTS, _tsquery(self.plan), to_rank]
            read = self._run(sql, more_params)
            self._scores.update((id_, score) for id_, _, score in read[:to_rank])
            more = [(id_, item_id) for id_, item_id, _ in read]
        else:
            more = self._run(sql, more_params)
        rows = rows + more
        self._read[(strength, tier)] = (rows, len(rows) < want)
        return rows

    def _tier_where(self, strength: int, tier: int, where: str, params: list) -> tuple[str, list]:
        """The condition of the bucket's rows in the tier. A region tier of the name
        bucket is looked up in the name-and-filter-token index (fulltext.PG_NAME_FACETS):
        its words and the tier's token in one query, the region condition kept as the
        rule. When no term can match a filter token (``_may_match_filter_tokens``:
        Chinese words, most pinyin) that vector matches exactly where the name's does;
        otherwise the name's vector is checked too, on the tier's rows (written so that
        its own index is not taken: that lookup is what this avoids)."""
        condition, condition_params, token = self._tiers[tier]
        if strength == 0 and token and self._name_facets is not None:
            strong, clauses, filter_params, recheck = self._name_facets
            parts = [f"{fulltext.PG_NAME_FACETS} @@ {self.QUERY}"]
            part_params = [f"({strong}) & {token}"]
            if recheck:
                parts.append(f"to_tsvector('simple'::regconfig, d.name_keys || '') @@ {self.QUERY}")
                part_params.append(strong)
            # the token finds the tier's rows: the region index would only add a bitmap
            # of every item of the region (23,400 for the province: 1 ms)
            condition = condition.replace("d.region_code", "(d.region_code || '')")
            return (
                " AND ".join([*parts, *clauses, condition]),
                [*part_params, *filter_params, *condition_params],
            )
        return f"{where} AND {condition}", [*params, *condition_params]

    def _may_match_filter_tokens(self) -> bool:
        """Whether a term of the name bucket could match a filter token: a word that
        starts like one, or a pinyin prefix that starts like one or that one starts with
        (``t`` would match ``tyxk``). Chinese words never do (the tokens are ASCII)."""
        from .services.indexing import FACET_PREFIXES

        def may(term: Term) -> bool:
            if term.text.startswith(FACET_PREFIXES):
                return True
            return term.pinyin and any(p.startswith(term.text) for p in FACET_PREFIXES)

        return any(
            may(t)
            for g in self.plan.groups
            for a in g
            if len(a) == 1 or all(t.pinyin for t in a)
            for t in a
        )

    def items(self, item_ids: list[int]) -> dict[int, object]:
        """What ``_Backend.items`` loads and, in the same statement, the items' index rows
        as ``_Backend.shown`` loads them (kept for ``shown``): one round trip for a
        page's hits, not two, through a statement compiled once per thread
        (``_ItemsQuery``) rather than two ORM queries compiled on every page."""
        if not item_ids:
            return {}
        query = _ItemsQuery.of_connection(documents=True)
        items = query.build(self._run(query.sql, [query.parameter(item_ids)]))
        cached = _document_of_item()
        self._shown = (
            set(item_ids),
            {pk: document for pk, item in items.items() if (document := cached(item, None))},
        )
        return items

    def shown(self, item_ids: list[int]) -> dict[int, object]:
        asked, remembered = getattr(self, "_shown", ((), {}))  # of the items just read
        if all(i in asked for i in item_ids):
            return {i: remembered[i] for i in item_ids if i in remembered}
        return super().shown(item_ids)

    def facet(self, column: str) -> list[tuple[str, int]]:
        from_sql, params = self._from()
        sql = f"SELECT d.{column}, count(*) {from_sql} GROUP BY d.{column} ORDER BY count(*) DESC"
        return self._run(sql, params)


# A condition that is always true (PostgreSQL: a search_path without a schema would not
# find the tables either) and calls a parallel-unsafe function (current_schema): the
# planner then plans the whole statement without parallel workers. A tier's read looks
# like 5,000 rows to it (the tsquery is a sub-select) and it chose two workers and a
# Gather Merge for 210 rows: 18 ms against 8–10 ms without them at load 11, the workers'
# start the main cost, and two cores shared by every process of the host.
_NO_WORKERS = "(SELECT current_schema()) IS NOT NULL"


def _ids_where(condition: str) -> str:
    """The ids of the documents meeting ``condition``, as a sub-select.

    A bucket excludes the stronger buckets' documents by id (a hashed sub-plan over
    their GIN lookup) rather than by ``NOT condition``, which would tokenise the keys of
    every row of the bucket again: 124 against 26 ms for a 6,410-row bucket at
    1,000,000 items."""
    return f"(SELECT d.id FROM {fulltext.DOC_TABLE} d WHERE {condition})"


def _document_of_item():
    """The getter of an item's index row as ``select_related("search_document")`` left
    it on the item (None: the item has none)."""
    from govhall.catalog.models import Item

    return Item.search_document.related.get_cached_value


def _backend(plan: Plan, filters: Filters, region_code: str | None, queryset) -> _Backend:
    vendor = connection.vendor
    if vendor == "sqlite":
        return _SQLite(plan, filters, region_code, queryset)
    if vendor == "postgresql":
        return _PostgreSQL(plan, filters, region_code, queryset)
    raise NotImplementedError(f"全文检索不支持数据库“{vendor}”。")


# --- typo correction ---------------------------------------------------------------------

VOCABULARY_KEY = "search:vocabulary:version"
_vocabulary_lock = threading.Lock()
_vocabulary: dict = {"version": None, "by_length": None, "terms": None}


def invalidate_vocabulary() -> None:
    _vocabulary["terms"] = None
    try:
        cache.incr(VOCABULARY_KEY)
    except ValueError:
        cache.set(VOCABULARY_KEY, 1, None)


def _load_vocabulary() -> tuple[dict[int, list[str]], dict[str, int]]:
    from .models import SearchTerm

    version = cache.get(VOCABULARY_KEY)
    with _vocabulary_lock:
        if _vocabulary["terms"] is None or _vocabulary["version"] != version:
            terms = dict(SearchTerm.objects.values_list("term", "frequency"))
            for word in synonyms.synonym_map():
                terms.setdefault(word, 1)
            by_length: dict[int, list[str]] = {}
            for term in terms:
                by_length.setdefault(len(term), []).append(term)
            _vocabulary.update(version=version, by_length=by_length, terms=terms)
        return _vocabulary["by_length"], _vocabulary["terms"]


def correct(query: str) -> str | None:
    """The query with one wrong character in a name word fixed, or None.

    Looks at every stretch of 3–8 Chinese characters that is not itself a known word
    and finds known words at edit distance 1 (one character replaced, added or
    dropped); the longest stretch with a match wins, then the most frequent word.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    by_length, terms = _load_vocabulary()
    text = normalize(query)
    best: tuple[int, int, str, str] | None = None  # (length, frequency, wrong, right)
    for run in cjk_runs(text):
        for size in range(min(8, len(run)), 2, -1):
            for start in range(len(run) - size + 1):
                window = run[start : start + size]
                if window in terms:
                    continue
                pool = [t for n in (size - 1, size, size + 1) for t in by_length.get(n, ())]
                for match, distance, _ in process.extract(
                    window, pool, scorer=Levenshtein.distance, score_cutoff=1, limit=5
                ):
                    if distance != 1 or len(match) < 3:
                        continue
                    candidate = (size, terms.get(match, 0), window, match)
                    if best is None or candidate[:2] > best[:2]:
                        best = candidate
            if best is not None:
                break
    if best is None:
        return None
    return text.replace(best[2], best[3], 1)


# --- results -------------------------------------------------------------------------------


class SearchResults(Sequence):
    """Matching published items, best first; counts and fetches lazily, page by page."""

    def __init__(
        self,
        query: str,
        plan: Plan | None,
        *,
        filters: Filters,
        region_code: str | None,
        queryset=None,
        mode: str = "exact",
        corrected: str = "",
        backend: _Backend | None = None,
    ):
        self.query, self.plan, self.filters = query, plan, filters
        self.region_code, self.queryset = region_code, queryset
        self.mode, self.corrected = mode, corrected
        self._count: int | None = None
        if backend is None and plan:
            backend = _backend(plan, filters, region_code, queryset)
        self._backend = backend

    # Sequence protocol (what paginators use)
    def __len__(self) -> int:
        if self._count is None:
            self._count = self._backend.count() if self._backend else 0
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [h.item for h in self.hits(start, stop - start)][::step]
            return [h.item for h in self.hits(start, max(0, stop - start))]
        if index < 0:
            index += len(self)
        hits = self.hits(index, 1)
        if not hits:
            raise IndexError(index)
        return hits[0].item

    def __bool__(self) -> bool:
        return len(self) > 0

    def __repr__(self) -> str:
        return f"<SearchResults {self.query!r} mode={self.mode}>"

    def hits(self, offset: int = 0, limit: int = 20, *, highlight: bool = False) -> list[Hit]:
        """One page of hits with their items (and highlighted name and snippet if asked)."""
        if self._backend is None or limit <= 0:
            return []
        rows = self._backend.page(offset, limit)
        ids = [row[0] for row in rows]
        items = self._backend.items(ids)
        documents = self._backend.shown(ids)
        hits = []
        terms = highlight_terms(self.plan, documents.values()) if highlight else set()
        for item_id, score, tier, _strength in rows:
            if item_id not in items:
                continue  # deleted between the two queries
            hit = Hit(items[item_id], documents.get(item_id), score, tier)
            if highlight and hit.document is not None:
                hit.name_html = mark(hit.document.name, terms)
                hit.snippet_html = snippet(hit.document.body, terms)
            hits.append(hit)
        return hits

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matches by item type, audience code, department and region."""
        if self._backend is None:
            return {}
        return {
            column: self._backend.facet(column)
            for column in ("item_type", "audience_codes", "department_id", "region_code")
        }


def _has_match(plan: Plan, filters: Filters, region_code, queryset) -> _Backend | None:
    """The plan's backend when the plan matches something, for the results to go on with
    (PostgreSQL keeps the count it read: one statement less a search), else None."""
    backend = _backend(plan, filters, region_code, queryset)
    return backend if backend.exists() else None


def search(
    query: str,
    queryset=None,
    *,
    region=None,
    filters: Filters | None = None,
    fallbacks: bool = True,
) -> SearchResults:
    """Search with the fallbacks described in the module docstring."""
    filters = filters or Filters()
    region_code = getattr(region, "code", region) or None
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    plan = plan_query(query) if query else None
    if plan is None or not plan.groups:
        return SearchResults(query, None, filters=filters, region_code=region_code, mode="empty")
    scope = _search_scope.set({})
    try:
        return _search(query, queryset, plan, filters, region_code, fallbacks)
    finally:
        _search_scope.reset(scope)


def _search(query, queryset, plan, filters, region_code, fallbacks) -> SearchResults:
    args = (filters, region_code, queryset)
    found = _has_match(plan, *args) if fallbacks else None
    if not fallbacks or found:
        return SearchResults(
            query, plan, filters=filters, region_code=region_code, queryset=queryset, backend=found
        )
    sounds = pinyin_plan(query)
    found = _has_match(sounds, *args) if sounds is not None else None
    if found:
        return SearchResults(
            query,
            sounds,
            backend=found,
            filters=filters,
            region_code=region_code,
            queryset=queryset,
            mode="pinyin",
        )
    fixed = correct(query)
    if fixed and fixed != normalize(query):
        fixed_plan = plan_query(fixed)
        found = _has_match(fixed_plan, *args) if fixed_plan.groups else None
        if found:
            return SearchResults(
                query,
                fixed_plan,
                backend=found,
                filters=filters,
                region_code=region_code,
                queryset=queryset,
                mode="corrected",
                corrected=fixed,
            )
    if len(plan.groups) > 1:
        partial = Plan(plan.groups, plan.words, any_group=True)
        found = _has_match(partial, *args)
        if found:
            return SearchResults(
                query,
                partial,
                backend=found,
                filters=filters,
                region_code=region_code,
                queryset=queryset,
                mode="partial",
            )
    return SearchResults(
        query, plan, filters=filters, region_code=region_code, queryset=queryset, mode="none"
    )


def search_items(
    query: str, queryset=None, *, region=None, within: str | None = None, **filters
) -> SearchResults:
    """Published items matching ``query``, most relevant first (the catalogue API's ``q``).

    ``region`` (a Region or its code) puts that region's own items first; ``within`` (a
    region code) keeps only that region and the regions below it; the other keyword
    ``filters`` (``department`` id, ``theme`` code, ``audience``, ``item_type``) are
    those of :class:`Filters`. Filters given this way run inside the full-text index;
    a ``queryset`` works too (any restriction) but costs a probe per match, so prefer
    the keywords for the API's standard filters. The result is a lazy sequence of
    ``Item`` objects: ``len()`` is the total, slices fetch a page.
    """
    return search(query, queryset, region=region, filters=Filters(region=within, **filters))


# --- highlighting --------------------------------------------------------------------------


def highlight_terms(plan: Plan | None, documents) -> set[str]:
    """Words to mark: the query's words and synonyms, and name words its pinyin matched."""
    if plan is None:
        return set()
    terms = {t for t in plan.highlight_terms() if len(t) > 1 or has_cjk(t)}
    prefixes = plan.pinyin_terms()
    if prefixes:
        for document in documents:
            for text in [document.name, *document.aliases.split("、")]:
                segmenter = _load_segmenter()
                for word in [text, *segmenter.cut_for_search(normalize(text), hmm=False)]:
                    if not has_cjk(word):
                        continue
                    full, initials = pinyin_forms(word)
                    if any(
                        full.startswith(p) or (len(word) > 1 and initials == p) for p in prefixes
                    ):
                        terms.add(word)
    return terms


def mark(text: str, terms: set[str]) -> str:
    """HTML-escaped ``text`` with every occurrence of the terms wrapped in <mark>."""
    if not text:
        return ""
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def snippet(body: str, terms: set[str], width: int = 90) -> str:
    """The body line with the most matches, cut around the first one, highlighted."""
    if not body:
        return ""
    lines = body.splitlines()
    lowered = [line.lower() for line in lines]
    scored = [(sum(line.count(t.lower()) for t in terms), -i) for i, line in enumerate(lowered)]
    best_score, neg_index = max(scored)
    line = lines[-neg_index]
    if best_score == 0:
        return html.escape(line[:width] + ("…" if len(line) > width else ""))
    first = min(
        (lowered[-neg_index].find(t.lower()) for t in terms if t.lower() in lowered[-neg_index]),
        default=0,
    )
    label_end = line.find("：") + 1
    start = max(label_end, first - width // 3)
    piece = line[start : start + width]
    prefix = line[:label_end] + ("…" if start > label_end else "") if label_end else ""
    suffix = "…" if start + width < len(line) else ""
    return html.escape(prefix) + mark(piece, terms) + html.escape(suffix)
