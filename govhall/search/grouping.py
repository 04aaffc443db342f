"""Search results grouped by basic item (基本目录事项): one result per basic item, not one
per county that implements it.

The same basic item (``Item.basic_code``) is implemented by every region; a search for
营业执照 otherwise lists 企业设立登记 once per county. A group shows the implementation of
the person's region (the hall they chose) — the first of its members in the ranked flat
list, which ranks the hall's own region first among equally strong matches — and lists
the other regions' implementations to pick from.

The flat list is walked in ranked order, in chunks of ids (no item rows are loaded), as
far as the page asked for needs; the number of groups counts the first ``WALK_LIMIT``
matches exactly and every match beyond them as its own group (a very broad query then
reports an upper bound, and paging still reaches every match).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .engine import Hit, SearchResults, highlight_terms, mark, snippet

CHUNK = 500
WALK_LIMIT = 5000
#: What a page shows of the other regions' implementations (link, region, department).
SIBLING_FIELDS = (
    "pk",
    "basic_code",
    "implementation_code",
    "region__code",
    "region__name",
    "department__name",
)


@dataclass
class Group:
    """One basic item: the implementation shown first and the other regions' ones."""

    hit: Hit
    others: list = field(default_factory=list)  # Items of other regions, by region code

    @property
    def item(self):
        return self.hit.item


class GroupedResults(Sequence):
    """A lazy sequence of groups over a :class:`SearchResults` (same mode and query)."""

    def __init__(self, results: SearchResults):
        self.results = results
        self.query, self.mode, self.corrected = results.query, results.mode, results.corrected
        self._walked = 0  # flat positions read so far
        self._keys: list[str] = []  # group keys in order of first appearance
        self._lead: dict[str, tuple[int, int]] = {}  # key -> (item id, tier) shown first
        self._done = False

    def _key(self, item_id: int, basic_code: str) -> str:
        return basic_code or f"#{item_id}"

    def _walk(self, groups_needed: int | None) -> None:
        """Read the flat list until ``groups_needed`` groups are known (None: up to the
        walk limit)."""
        from govhall.catalog.models import Item

        backend = self.results._backend
        if backend is None:
            self._done = True
            return
        while not self._done and (groups_needed is None or len(self._keys) < groups_needed):
            if self._walked >= WALK_LIMIT:
                return
            rows = backend.page(self._walked, CHUNK)
            if not rows:
                self._done = True
                return
            self._walked += len(rows)
            codes = dict(
                Item.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "basic_code")
            )
            for item_id, _score, tier, *_rest in rows:
                if item_id not in codes:
                    continue
                key = self._key(item_id, codes[item_id])
                lead = self._lead.get(key)
                if lead is None:
                    self._keys.append(key)
                    self._lead[key] = (item_id, tier)
                elif tier < lead[1]:
                    self._lead[key] = (item_id, tier)
            if len(rows) < CHUNK:
                self._done = True

    def __len__(self) -> int:
        self._walk(None)
        if self._done:
            return len(self._keys)
        return len(self._keys) + max(0, len(self.results) - self._walked)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, _step = index.indices(len(self))
            return self.groups(start, max(0, stop - start))
        groups = self.groups(index, 1)
        if not groups:
            raise IndexError(index)
        return groups[0]

    def __bool__(self) -> bool:
        return bool(self.results)

    def groups(
        self, offset: int = 0, limit: int = 20, *, highlight: bool = False, others: bool = True
    ) -> list[Group]:
        """One page of groups, each with its lead hit and (``others``) the other regions'
        implementations — for a broad query thousands of items, so a caller that shows
        only the lead (the API) leaves them out."""
        from govhall.catalog.models import Item

        self._walk(offset + limit)
        if offset >= len(self._keys):
            # Past the walked part: the remaining matches, one group each.
            skipped = offset - len(self._keys) + self._walked
            return [Group(hit) for hit in self.results.hits(skipped, limit, highlight=highlight)]
        keys = self._keys[offset : offset + limit]
        ids = [self._lead[k][0] for k in keys]
        items = self.results._backend.items(ids)  # on PostgreSQL with the index rows
        documents = self.results._backend.shown(ids)
        terms = highlight_terms(self.results.plan, documents.values()) if highlight else set()
        codes = [k for k in keys if not k.startswith("#")] if others else []
        siblings: dict[str, list] = {}
        for other in (
            Item.objects.published()
            .filter(basic_code__in=codes)
            .select_related("region", "department")
            .only(*SIBLING_FIELDS)
            .order_by("region__code", "implementation_code")
        ):
            siblings.setdefault(other.basic_code, []).append(other)
        groups = []
        for key in keys:
            item_id, tier = self._lead[key]
            item = items.get(item_id)
            if item is None:
                continue
            hit = Hit(item, documents.get(item_id), 0.0, tier)
            if highlight and hit.document is not None:
                hit.name_html = mark(hit.document.name, terms)
                hit.snippet_html = snippet(hit.document.body, terms)
            others = [o for o in siblings.get(key, []) if o.pk != item_id]
            groups.append(Group(hit, others))
        return groups

    def facets(self):
        return self.results.facets()


class LeadItems(Sequence):
    """The groups' lead items as a flat sequence of ``Item`` (what the API paginates)."""

    def __init__(self, grouped: GroupedResults):
        self.grouped = grouped

    def __len__(self) -> int:
        return len(self.grouped)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, _step = index.indices(len(self))
            return [g.item for g in self.grouped.groups(start, max(0, stop - start), others=False)]
        groups = self.grouped.groups(index, 1, others=False)
        if not groups:
            raise IndexError(index)
        return groups[0].item
