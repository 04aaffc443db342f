"""The next service (下一步服务): what to offer after a case concludes.

Two sources, merged: the follow-on items (后置事项) the concluded item's catalogue
version declares, first, in their declared order; then what applicants of the same item
usually applied for next (``NextItem``, co-occurrence in case history, computed offline),
by share. Each recommendation carries its reason. ``rank`` is the merge on codes alone,
so the benchmark (``python -m bench recommend``) measures exactly what the pages show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from govhall.catalog.models import Item
from govhall.catalog.models.choices import RelationKind

from ..models import NextItem

LIMIT = 3


@dataclass(frozen=True)
class Recommendation:
    item: Item
    reason: str
    source: str  # "relation" (declared follow-on) or "history" (co-occurrence)

    @property
    def name(self) -> str:
        return self.item.name

    def get_absolute_url(self) -> str:
        return self.item.get_absolute_url()


def rank(
    code: str,
    declared: Sequence[str],
    history: Mapping[str, Sequence[str]],
    limit: int = LIMIT,
    exclude: Iterable[str] = (),
) -> list[str]:
    """Codes to recommend after ``code``: declared follow-ons first, then the history's
    next items by share, without repeats, ``code`` itself or ``exclude``, at most ``limit``."""
    seen = {code, *exclude}
    out: list[str] = []
    for candidate in (*declared, *history.get(code, ())):
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
        if len(out) >= limit:
            break
    return out


def history_reason(row: NextItem, from_name: str, to_name: str) -> str:
    return (
        f"办理“{from_name}”的人通常接着办理“{to_name}”"
        f"（{row.base}位申请人中有{row.applicants}位，占{row.share:.0%}）。"
    )


def for_case(case, limit: int = LIMIT) -> list[Recommendation]:
    """The next services of a concluded case, with their reasons."""
    declared = [
        relation.target
        for relation in case.item_version.relations.filter(kind=RelationKind.FOLLOW_ON)
        .select_related("target")
        .order_by("pk")
    ]
    rows = list(
        NextItem.objects.filter(from_code=case.implementation_code).order_by("-share", "to_code")[
            : limit * 3
        ]
    )
    items = {
        item.implementation_code: item
        for item in Item.objects.published().filter(
            implementation_code__in=[r.to_code for r in rows]
        )
    }
    by_code = {r.to_code: r for r in rows if r.to_code in items}
    codes = rank(
        case.implementation_code,
        [item.implementation_code for item in declared],
        {case.implementation_code: list(by_code)},
        limit,
    )
    declared_by_code = {item.implementation_code: item for item in declared}
    out = []
    for code in codes:
        if code in declared_by_code:
            item = declared_by_code[code]
            reason = (
                f"因为您办理的“{case.item_name}”已办结，办理该事项的人通常接着办理“{item.name}”。"
            )
            out.append(Recommendation(item, reason, "relation"))
        else:
            item = items[code]
            reason = history_reason(by_code[code], case.item_name, item.name)
            out.append(Recommendation(item, reason, "history"))
    return out
