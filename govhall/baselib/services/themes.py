"""Thematic libraries (主题库): views on a base library defined by attribute conditions.

A theme is data (``ThemeLibrary.conditions``); ``queryset(theme)`` turns its conditions
into a filter on the entries' current values, so a theme is always as fresh as the base
library and stores nothing of its own but a count, refreshed by the ``baselib.themes``
job (counting millions of rows is too slow for a page). ``members`` lists a theme's
entries for staff, page by page, each shown member reported to their data-use log.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.core.errors import deny, refuse
from govhall.core.signals import personal_data_read
from govhall.regions.models import Post
from govhall.regions.services.scope import scope_of

from ..models import Library, ThemeLibrary
from . import definitions
from .library import MODEL_OF, display, typed


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _value(attr: str) -> str:
    return f"attributes__{attr}__v"


def _eq(attr, value, today):
    return Q(**{_value(attr): value})


def _ne(attr, value, today):
    return ~Q(**{_value(attr): value}) | Q(**{f"{_value(attr)}__isnull": True})


def _in(attr, value, today):
    q = Q(pk__in=[])
    for item in value:
        q |= Q(**{_value(attr): item})
    return q


def _present(attr, value, today):
    return Q(**{f"{_value(attr)}__isnull": False}) & ~Q(**{_value(attr): None})


def _absent(attr, value, today):
    return ~_present(attr, value, today)


def _gte(attr, value, today):
    return Q(**{f"{_value(attr)}__gte": value})


def _lte(attr, value, today):
    return Q(**{f"{_value(attr)}__lte": value})


def _age_gte(attr, value, today):
    """Born on or before the day ``value`` years ago (dates are ISO strings)."""
    return Q(**{f"{_value(attr)}__lte": _years_before(today, int(value)).isoformat()})


def _age_lt(attr, value, today):
    return Q(**{f"{_value(attr)}__gt": _years_before(today, int(value)).isoformat()})


OPERATORS = {
    "eq": (_eq, "等于"),
    "ne": (_ne, "不等于"),
    "in": (_in, "属于"),
    "present": (_present, "有值"),
    "absent": (_absent, "无值"),
    "gte": (_gte, "不小于"),
    "lte": (_lte, "不大于"),
    "age_gte": (_age_gte, "年满（周岁）"),
    "age_lt": (_age_lt, "未满（周岁）"),
}


def condition_q(theme: ThemeLibrary, today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    catalogue = definitions.of_library(theme.library)
    q = Q()
    for index, condition in enumerate(theme.conditions):
        attr, op = condition.get("attribute"), condition.get("op")
        if attr not in catalogue:
            raise refuse(
                f"conditions.{index}",
                "unknown_attribute",
                f"主题库条件引用了不存在的属性“{attr}”。",
            )
        if op not in OPERATORS:
            raise refuse(
                f"conditions.{index}", "unknown_operator", f"主题库条件的运算“{op}”不受支持。"
            )
        q &= OPERATORS[op][0](attr, condition.get("value"), today)
    return q


def queryset(theme: ThemeLibrary, today: datetime.date | None = None) -> QuerySet:
    """The entries of the theme's base library that meet all its conditions."""
    return MODEL_OF[theme.library].objects.filter(condition_q(theme, today))


def describe(theme: ThemeLibrary) -> list[str]:
    """The conditions in Chinese, e.g. “最低生活保障状态 等于 在保”."""
    catalogue = definitions.of_library(theme.library)
    out = []
    for condition in theme.conditions:
        definition = catalogue.get(condition.get("attribute"))
        name = definition.name if definition else condition.get("attribute")
        op = OPERATORS.get(condition.get("op"), (None, condition.get("op")))[1]
        value: Any = condition.get("value", "")
        if definition is not None and definition.choices and isinstance(value, str):
            value = definition.choices.get(value, value)
        out.append(f"{name} {op} {value}".strip())
    return out


def refresh_counts(themes=None) -> int:
    """Count every active theme now; returns how many were counted."""
    now = timezone.now()
    themes = list(themes if themes is not None else ThemeLibrary.objects.filter(is_active=True))
    for theme in themes:
        theme.count = queryset(theme).count()
        theme.counted_at = now
        theme.save(update_fields=["count", "counted_at"])
    return len(themes)


# --- members (名单) ----------------------------------------------------------------------

#: The posts that use the base libraries (the workbench card's): handling staff, supervisors
#: and hall administrators. Catalogue editors hold posts too but see no personal data.
MEMBER_POSTS = (Post.CLERK, Post.REVIEWER, Post.APPROVER, Post.SUPERVISOR, Post.HALL_ADMIN)
#: The attribute that places an entry in a region, per library (the list is limited to the
#: regions of the reader's posts: a county clerk sees the county's 低保对象).
REGION_ATTRIBUTE = {Library.POPULATION: "household_region", Library.LEGAL_PERSON: "region_code"}
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class MemberScope:
    """Who may list members, where, and for which department the reads are logged."""

    allowed: bool
    prefixes: frozenset[str] | None  # region-code prefixes; None: every region
    department_id: int | None


def member_scope(user) -> MemberScope:
    scope = scope_of(user)
    if scope.is_superuser:
        return MemberScope(True, None, None)
    held = [h for h in scope.posts if h.post in MEMBER_POSTS]
    if not held:
        return MemberScope(False, frozenset(), None)
    return MemberScope(True, frozenset(h.region_prefix for h in held), held[0].department_id)


@dataclass(frozen=True)
class Member:
    pk: int
    subject: str  # ID number masked, or the credit code
    values: list[tuple[str, str, str]]  # (attribute code, name, value as people read it)


@dataclass(frozen=True)
class MemberPage:
    theme: ThemeLibrary
    columns: list[tuple[str, str]]  # the listed attributes' (code, name)
    members: list[Member]
    next_after: int | None  # ``after=`` of the next page, None on the last
    previous_before: int | None  # ``before=`` of the previous page, None on the first


def _region_q(library: str, prefixes: frozenset[str] | None) -> Q:
    if prefixes is None:
        return Q()
    attr = REGION_ATTRIBUTE[library]
    q = Q(pk__in=[])
    for prefix in sorted(prefixes):
        q |= Q(**{f"{_value(attr)}__startswith": prefix})
    return q


def members(
    theme: ThemeLibrary,
    user,
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
    purpose: str = "",
) -> MemberPage:
    """One page of the theme's members in the reader's regions, ordered by entry, with
    the theme's listed attributes; ID numbers masked.

    Pages are keyset pages (``after`` / ``before`` an entry id), not numbered: counting
    a condition on ten million JSON documents is the nightly job's work, not a page
    load's. Every member shown is a read of their data, reported to their "谁用了我的数据"
    (``core.signals.personal_data_read``, source ``sharing``: the base libraries are the
    hall's shared data) with the reader, department, purpose and the items shown.
    """
    scope = member_scope(user)
    if not scope.allowed:
        raise deny("只有窗口、审核、审批、监督岗位和大厅管理员可以查看主题库名单。")
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    catalogue = definitions.of_library(theme.library)
    listed = [catalogue[c] for c in (theme.fields or ["name"]) if c in catalogue]
    rows = queryset(theme).filter(_region_q(theme.library, scope.prefixes))
    if before is not None:
        chunk = list(rows.filter(pk__lt=before).order_by("-pk")[: size + 1])
        has_more = len(chunk) > size
        chunk = list(reversed(chunk[:size]))
        previous_before = chunk[0].pk if chunk and has_more else None
        next_after = chunk[-1].pk if chunk else None
    else:
        if after is not None:
            rows = rows.filter(pk__gt=after)
        chunk = list(rows.order_by("pk")[: size + 1])
        has_more = len(chunk) > size
        chunk = chunk[:size]
        next_after = chunk[-1].pk if chunk and has_more else None
        previous_before = chunk[0].pk if chunk and after is not None else None
    found = []
    for entry in chunk:
        values = []
        for definition in listed:
            datum = entry.attributes.get(definition.code) or {}
            value = typed(definition, datum.get("v"))
            values.append((definition.code, definition.name, display(definition, value)))
        found.append(Member(entry.pk, entry.label, values))
    _report_reads(theme, chunk, listed, user, scope, purpose)
    columns = [(d.code, d.name) for d in listed]
    return MemberPage(theme, columns, found, next_after, previous_before)


def _report_reads(theme, entries, listed, user, scope: MemberScope, purpose: str) -> None:
    """Each member shown, to their data-use log. Persons with an account are found in one
    query (an entry and an account of one person share the blind index)."""
    if not entries:
        return
    fields = ["身份证号码（脱敏）" if theme.library == Library.POPULATION else "统一社会信用代码"]
    fields += [d.name for d in listed]
    accounts: dict[str, int] = {}
    if theme.library == Library.POPULATION:
        from govhall.accounts.models import Person

        accounts = dict(
            Person.objects.filter(
                id_number_index__in=[e.id_number_index for e in entries]
            ).values_list("id_number_index", "user_id")
        )
    why = f"查看主题库“{theme.name}”名单" + (f"：{purpose.strip()}" if purpose.strip() else "")
    for entry in entries:
        if theme.library == Library.POPULATION:
            key, account = entry.id_number, accounts.get(entry.id_number_index)
        else:
            key, account = entry.credit_code, None
        personal_data_read.send(
            sender=ThemeLibrary,
            subject_user_id=account,
            subject_id_number=key,
            reader_user_id=getattr(user, "pk", None),
            reader_department_id=scope.department_id,
            reader_client="",
            purpose=why[:200],
            case_number="",
            fields=fields,
            source="sharing",
        )
