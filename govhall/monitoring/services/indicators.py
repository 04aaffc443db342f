"""The indicators of 潮府办函〔2017〕135号's indicator table, each a numerator over a
denominator that can be traced to the cases or items behind it.

Case-based (from the roll-ups of process records, counted in the month a case
concluded; 业务量 = concluded cases, 潮府办函〔2017〕135号 名词解释 1):

* 上网办理率 = cases applied online (PC or mobile) / 业务量;
* 网上办结率 = cases applied online with ≤ 1 visit (网上全流程办理) and concluded / 业务量;
* 到现场次数 ≤ 1 and = 0: shares of the cases applied online (网上申办事项).

Item-based (from the catalogue as it stands, published items):

* 网上全流程办理率 = items of depth ≥ 3 with ≤ 1 visit / items entered in the hall;
* 进驻统一申办受理平台比率 = items not handled in an exchange client's own system / items;
* 手机办理比率 = items for persons that can be handled on a phone / items for persons;
* 证照电子化率 comes from the licence subsystem (``govhall.licences``);
* 两页使用率 = page users (``PageUsage``) / ``PopulationBase`` (20–49 age group for
  people, registered companies for companies).

Every indicator is restricted to one item type (行政许可 by default, as the work plans
潮府办函〔2017〕135号 and 粤办函〔2016〕186号 define them) unless the slice says otherwise.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from govhall.catalog.models import Item
from govhall.catalog.models.choices import ItemType
from govhall.exchange.models import ExchangeClient
from govhall.regions.models import Department, Level, Region

from ..models import CaseFact, Indicator, MonthlyRollup, PageUsage, PopulationBase, TargetScope
from . import targets as target_service
from .refresh import COUNTERS, ONLINE_CHANNELS

CASE_INDICATORS = (
    Indicator.ONLINE_APPLY,
    Indicator.ONLINE_CONCLUDE,
    Indicator.VISITS_LE1,
    Indicator.VISITS_ZERO,
)
ITEM_INDICATORS = (Indicator.ONLINE_FULL, Indicator.PLATFORM, Indicator.MOBILE)
# numerator counter, denominator counter
CASE_RATIOS = {
    Indicator.ONLINE_APPLY: ("online_applied", "volume"),
    Indicator.ONLINE_CONCLUDE: ("fully_online", "volume"),
    Indicator.VISITS_LE1: ("online_visits_le1", "online_applied"),
    Indicator.VISITS_ZERO: ("online_visits_0", "online_applied"),
}
UNITS = {
    Indicator.ONLINE_FULL: _("项事项"),
    Indicator.PLATFORM: _("项事项"),
    Indicator.MOBILE: _("项事项"),
    Indicator.ELICENCE: _("种证照"),
    Indicator.COMPANY_PAGE: _("家企业"),
    Indicator.CITIZEN_PAGE: _("人"),
}


MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> datetime.date | None:
    """``YYYY-MM`` → the first day of that month, or None when it is not one."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def month_start(value: datetime.date) -> datetime.date:
    return datetime.date(value.year, value.month, 1)


@dataclass(frozen=True)
class Slice:
    """What a figure is about: a region (as a whole, or only its own level's
    departments), optionally one department, one level, one item type, a month range."""

    first_month: datetime.date
    last_month: datetime.date
    region_code: str = "440000"
    scope: str = TargetScope.TOTAL
    department_code: str = ""
    level: str = ""
    item_type: str = ItemType.LICENSING

    @classmethod
    def month(cls, year: int, month: int, **kwargs) -> Slice:
        first = datetime.date(year, month, 1)
        return cls(first, first, **kwargs)

    @property
    def year(self) -> int:
        return self.last_month.year

    @property
    def prefix(self) -> str:
        return region_prefix(self.region_code)

    def with_region(self, region_code: str, scope: str = TargetScope.TOTAL) -> Slice:
        return replace(self, region_code=region_code, scope=scope, department_code="")


def region_prefix(code: str) -> str:
    region = Region.objects.filter(code=code).only("code", "level").first()
    if region is not None:
        return region.prefix
    return code.rstrip("0") or code


@dataclass
class Figure:
    indicator: str
    numerator: int | None
    denominator: int | None
    target: Decimal | None = None
    target_source: str = ""
    basis: str = "cases"  # cases | items | licence_types | population

    @property
    def label(self) -> str:
        return str(Indicator(self.indicator).label)

    @property
    def rate(self) -> float | None:
        """Per cent, one decimal; None when there is nothing to divide by."""
        if not self.denominator or self.numerator is None:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def status(self) -> str:
        """``met``, ``below``, ``no_target`` or ``no_data``."""
        if self.rate is None:
            return "no_data"
        if self.target is None:
            return "no_target"
        return "met" if Decimal(str(self.rate)) >= self.target else "below"

    @property
    def gap(self) -> float | None:
        if self.rate is None or self.target is None:
            return None
        return round(self.rate - float(self.target), 1)

    def as_dict(self) -> dict:
        return {
            "indicator": self.indicator,
            "label": self.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": self.rate,
            "target": float(self.target) if self.target is not None else None,
            "target_source": self.target_source,
            "status": self.status,
            "basis": self.basis,
        }


@dataclass
class Unit:
    """One row of a dashboard: a region as a whole, a level's departments, or one department."""

    kind: str  # region | departments | department
    code: str
    name: str
    level: str
    slice: Slice
    counters: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def volume(self) -> int:
        return self.counters.get("volume", 0)


# --- case counters -------------------------------------------------------------------


def _rollup_filter(s: Slice) -> Q:
    q = Q(month__gte=s.first_month, month__lte=s.last_month)
    if s.department_code:
        q &= Q(department_code=s.department_code)
    elif s.scope == TargetScope.DEPARTMENTS:
        q &= Q(region_code=s.region_code)
    else:
        q &= Q(region_code__startswith=s.prefix)
    if s.level:
        q &= Q(level=s.level)
    if s.item_type:
        q &= Q(item_type=s.item_type)
    return q


def _with_derived(counts: dict[str, int]) -> dict[str, int]:
    counts = {name: int(counts.get(name) or 0) for name in COUNTERS}
    counts["online_visits_le1"] = counts["online_visits_0"] + counts["online_visits_1"]
    return counts


def counters(s: Slice) -> dict[str, int]:
    """The summed roll-up counters of a slice."""
    sums = MonthlyRollup.objects.filter(_rollup_filter(s)).aggregate(
        **{name: Sum(name) for name in COUNTERS}
    )
    return _with_derived(sums)


def case_figures(counts: dict[str, int]) -> dict[str, Figure]:
    return {
        indicator: Figure(indicator, counts[num], counts[den])
        for indicator, (num, den) in CASE_RATIOS.items()
    }


# --- item counters -------------------------------------------------------------------


def _items(s: Slice) -> QuerySet[Item]:
    items = Item.objects.published()
    if s.item_type:
        items = items.filter(item_type=s.item_type)
    if s.department_code:
        items = items.filter(department__credit_code=s.department_code)
    elif s.scope == TargetScope.DEPARTMENTS:
        items = items.filter(region_id=s.region_code)
    else:
        items = items.filter(region__code__startswith=s.prefix)
    if s.level:
        items = items.filter(region__level=s.level)
    return items


def own_system_codes() -> set[str]:
    codes: set[str] = set()
    for listed in ExchangeClient.objects.filter(is_active=True).values_list(
        "own_item_codes", flat=True
    ):
        codes.update(listed or ())
    return codes


def item_condition(indicator: str, part: str) -> Q:
    """Which items a part (``numerator``/``denominator``) of an item indicator counts."""
    if indicator == Indicator.MOBILE:
        base = Q(current__audience_codes__contains="1")
        if part == "numerator":
            return base & Q(current__channel_mobile=True)
        return base
    if part == "denominator":
        return Q()
    if indicator == Indicator.ONLINE_FULL:
        return Q(current__depth__gte=3, current__visits__lte=1)
    if indicator == Indicator.PLATFORM:
        return ~Q(implementation_code__in=own_system_codes())
    raise ValueError(indicator)


def _item_aggregates() -> dict[str, Count]:
    own = own_system_codes()
    return {
        "total": Count("pk"),
        "full": Count("pk", filter=item_condition(Indicator.ONLINE_FULL, "numerator")),
        "own": Count("pk", filter=Q(implementation_code__in=own)),
        "persons": Count("pk", filter=item_condition(Indicator.MOBILE, "denominator")),
        "mobile": Count("pk", filter=item_condition(Indicator.MOBILE, "numerator")),
    }


def _item_figures_from(counts: dict[str, int]) -> dict[str, Figure]:
    total = counts.get("total") or 0
    return {
        Indicator.ONLINE_FULL: Figure(
            Indicator.ONLINE_FULL, counts.get("full") or 0, total, basis="items"
        ),
        Indicator.PLATFORM: Figure(
            Indicator.PLATFORM, total - (counts.get("own") or 0), total, basis="items"
        ),
        Indicator.MOBILE: Figure(
            Indicator.MOBILE, counts.get("mobile") or 0, counts.get("persons") or 0, basis="items"
        ),
    }


def item_figures(s: Slice) -> dict[str, Figure]:
    return _item_figures_from(_items(s).aggregate(**_item_aggregates()))


def _item_counts_by(s: Slice, key: str) -> dict[str, dict[str, int]]:
    """Item counts of a slice grouped by ``region_id`` or ``department__credit_code``."""
    rows = _items(s).values(key).annotate(**_item_aggregates()).order_by()
    return {row[key]: row for row in rows}


# --- e-licences and the two pages ------------------------------------------------------


def _elicence_rows(s: Slice) -> list:
    """Per department: licence types due and issued electronically, over the year so far
    (a type issued once this year counts as issued in step)."""
    from govhall.licences.services.indicators import electronic_rate

    department = None
    if s.department_code:
        department = Department.objects.filter(credit_code=s.department_code).first()
    rows = electronic_rate(s.region_code, department, s.year, with_regions=False).departments
    if s.scope == TargetScope.DEPARTMENTS and not s.department_code:
        rows = [row for row in rows if row.region_code == s.region_code]
    if s.level:
        levels = dict(
            Region.objects.filter(code__in={r.region_code for r in rows}).values_list(
                "code", "level"
            )
        )
        rows = [row for row in rows if levels.get(row.region_code) == s.level]
    return rows


def _elicence_from(rows: list) -> Figure:
    return Figure(
        Indicator.ELICENCE,
        sum(row.numerator for row in rows),
        sum(row.denominator for row in rows),
        basis="licence_types",
    )


def elicence_figure(s: Slice) -> Figure:
    return _elicence_from(_elicence_rows(s))


def page_data(s: Slice, region_codes: set[str]) -> dict[str, tuple]:
    """The latest population base and page usage of each region, two queries for all."""
    bases = {}
    for base in PopulationBase.objects.filter(
        region_code__in=region_codes, year__lte=s.year
    ).order_by("year"):
        bases[base.region_code] = base  # the latest year wins
    usages = {}
    for usage in PageUsage.objects.filter(
        region_code__in=region_codes, month__lte=s.last_month
    ).order_by("month"):
        usages[usage.region_code] = usage
    return {code: (bases.get(code), usages.get(code)) for code in region_codes}


def page_figures(s: Slice, data: tuple | None = None) -> dict[str, Figure]:
    """Two-page usage of a region as a whole; departments have no population."""
    if s.scope != TargetScope.TOTAL or s.department_code:
        return {}
    base, usage = data if data is not None else page_data(s, {s.region_code})[s.region_code]
    people = None
    if base is not None:
        people = base.population_20_49 or base.registered_population
    return {
        Indicator.COMPANY_PAGE: Figure(
            Indicator.COMPANY_PAGE,
            usage.companies_using if usage else None,
            base.registered_companies if base else None,
            basis="population",
        ),
        Indicator.CITIZEN_PAGE: Figure(
            Indicator.CITIZEN_PAGE,
            usage.persons_using if usage else None,
            people,
            basis="population",
        ),
    }


# --- all together ----------------------------------------------------------------------


def figures(
    s: Slice,
    *,
    counts: dict[str, int] | None = None,
    item_counts: dict[str, int] | None = None,
    elicence_rows: list | None = None,
    book: target_service.TargetBook | None = None,
    pages: tuple | None = None,
) -> dict[str, Figure]:
    """Every indicator of a slice, with its target and status. Dashboards pass counts
    they computed for many units at once."""
    result: dict[str, Figure] = {}
    result.update(case_figures(counts if counts is not None else counters(s)))
    if item_counts is not None:
        result.update(_item_figures_from(item_counts))
    else:
        result.update(item_figures(s))
    rows = elicence_rows if elicence_rows is not None else _elicence_rows(s)
    result[Indicator.ELICENCE] = _elicence_from(rows)
    result.update(page_figures(s, pages))
    ordered = {i: result[i] for i in Indicator.values if i in result}
    _attach_targets(s, ordered, book or target_service.TargetBook(s.year))
    return ordered


def _attach_targets(s: Slice, result: dict[str, Figure], book: target_service.TargetBook) -> None:
    scope = TargetScope.DEPARTMENTS if (s.department_code or s.scope != "total") else "total"
    found = book.for_(s.region_code, scope)
    for indicator, figure in result.items():
        target = found.get(indicator)
        if target is not None:
            figure.target = target.value
            figure.target_source = f"{target.source}（{target.year}年目标）"


def unit_name(region: Region, scope: str) -> str:
    if scope == TargetScope.DEPARTMENTS:
        suffix = {
            Level.PROVINCE: "省直部门",
            Level.CITY: "市直部门",
            Level.COUNTY: "县（区）直部门",
        }.get(region.level, "本级部门")
        return f"{region.name}{suffix}"
    return region.name


def units(s: Slice) -> list[Unit]:
    """The rows under a region: its own level's departments together, then each
    region one level down as a whole (province → cities, city → counties)."""
    return overview(s)[1]


def overview(
    s: Slice, *, counts_by_region: dict[str, dict[str, int]] | None = None
) -> tuple[dict[str, Figure], list[Unit]]:
    """A region's own figures and its rows (``units``), from one set of queries: the
    region's figures are the sums of what its rows were computed from, so a dashboard
    does not read the roll-ups, items and e-licences twice.

    ``counts_by_region`` replaces the roll-ups as the source of the case counters (the
    benchmark computes them straight from the records to compare)."""
    region = Region.objects.get(code=s.region_code)
    by_region = counts_by_region
    if by_region is None:
        grouped = (
            MonthlyRollup.objects.filter(_rollup_filter(s.with_region(s.region_code)))
            .values("region_code")
            .annotate(**{name: Sum(name) for name in COUNTERS})
            .order_by()
        )
        by_region = {row["region_code"]: row for row in grouped}
    children = list(region.children.order_by("code"))
    rows = [
        Unit(
            "departments",
            region.code,
            unit_name(region, "departments"),
            region.level,
            s.with_region(region.code, TargetScope.DEPARTMENTS),
        )
    ]
    rows += [
        Unit("region", child.code, child.name, child.level, s.with_region(child.code))
        for child in children
    ]
    whole = s.with_region(region.code)
    item_rows = _item_counts_by(whole, "region_id")
    licence_rows = _elicence_rows(whole)
    book = target_service.TargetBook(s.year)
    book.remember_parents({child.code: region.code for child in children})
    book.remember_parents({region.code: region.parent_id})
    pages = page_data(s, {region.code, *(child.code for child in children)})
    prefixes = {child.code: child.prefix for child in children}
    for unit in rows:
        if unit.kind == "departments":
            belongs = region.code.__eq__
        else:
            belongs = _startswith(prefixes[unit.code])
        unit.counters = _with_derived(_sum_rows(r for c, r in by_region.items() if belongs(c)))
        unit.figures = figures(
            unit.slice,
            counts=unit.counters,
            item_counts=_sum_rows(r for c, r in item_rows.items() if belongs(c)),
            elicence_rows=[r for r in licence_rows if belongs(r.region_code)],
            book=book,
            pages=pages.get(unit.code) if unit.kind == "region" else None,
        )
    own = figures(
        s,
        counts=_with_derived(_sum_rows(by_region.values())),
        item_counts=_sum_rows(item_rows.values()),
        elicence_rows=licence_rows,
        book=book,
        pages=pages.get(region.code),
    )
    return own, rows


def _startswith(prefix: str):
    return lambda code: code.startswith(prefix)


def _sum_rows(rows) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for row in rows:
        for name, value in row.items():
            if isinstance(value, int):
                sums[name] += value
    return sums


def department_units(
    s: Slice, *, counts_by_department: dict[str, dict[str, int]] | None = None
) -> list[Unit]:
    """Each department of the region's own level (``counts_by_department``: as
    ``overview``'s ``counts_by_region``)."""
    departments = list(
        Department.objects.filter(region_id=s.region_code, is_active=True).order_by("name")
    )
    by_department = counts_by_department
    if by_department is None:
        grouped = (
            MonthlyRollup.objects.filter(
                _rollup_filter(s.with_region(s.region_code, TargetScope.DEPARTMENTS))
            )
            .values("department_code")
            .annotate(**{name: Sum(name) for name in COUNTERS})
            .order_by()
        )
        by_department = {row["department_code"]: row for row in grouped}
    own_level = s.with_region(s.region_code, TargetScope.DEPARTMENTS)
    item_rows = _item_counts_by(own_level, "department__credit_code")
    licence_rows = _elicence_rows(own_level)
    book = target_service.TargetBook(s.year)
    rows = []
    for department in departments:
        unit_slice = replace(
            s, scope=TargetScope.DEPARTMENTS, department_code=department.credit_code
        )
        unit = Unit("department", department.credit_code, department.name, s.level, unit_slice)
        unit.counters = _with_derived(by_department.get(department.credit_code, {}))
        unit.figures = figures(
            unit_slice,
            counts=unit.counters,
            item_counts=item_rows.get(department.credit_code, {}),
            elicence_rows=[r for r in licence_rows if r.department_code == department.credit_code],
            book=book,
        )
        rows.append(unit)
    return rows


def trend(s: Slice) -> list[tuple[datetime.date, dict[str, Figure]]]:
    """Case-based figures month by month over the slice's range."""
    grouped = (
        MonthlyRollup.objects.filter(_rollup_filter(s))
        .values("month")
        .annotate(**{name: Sum(name) for name in COUNTERS})
        .order_by("month")
    )
    by_month = {row["month"]: row for row in grouped}
    result = []
    month = s.first_month
    while month <= s.last_month:
        result.append((month, case_figures(_with_derived(by_month.get(month, {})))))
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return result


# --- what is behind a figure -------------------------------------------------------------


def cases_behind(s: Slice, indicator: str, part: str = "numerator") -> QuerySet[CaseFact]:
    """The concluded cases counted in a case-based figure's numerator or denominator."""
    if indicator not in CASE_RATIOS:
        raise ValueError(indicator)
    facts = CaseFact.objects.filter(_rollup_filter(s), month__isnull=False)
    online = Q(channel__in=ONLINE_CHANNELS)
    conditions = {
        (Indicator.ONLINE_APPLY, "numerator"): online,
        (Indicator.ONLINE_APPLY, "denominator"): Q(),
        (Indicator.ONLINE_CONCLUDE, "numerator"): online & Q(visits__lte=1),
        (Indicator.ONLINE_CONCLUDE, "denominator"): Q(),
        (Indicator.VISITS_LE1, "numerator"): online & Q(visits__lte=1),
        (Indicator.VISITS_LE1, "denominator"): online,
        (Indicator.VISITS_ZERO, "numerator"): online & Q(visits=0),
        (Indicator.VISITS_ZERO, "denominator"): online,
    }
    return facts.filter(conditions[(indicator, part)]).order_by("-concluded_at", "case_number")


def items_behind(s: Slice, indicator: str, part: str = "numerator") -> QuerySet[Item]:
    if indicator not in ITEM_INDICATORS:
        raise ValueError(indicator)
    return (
        _items(s)
        .filter(item_condition(indicator, part))
        .select_related("department", "region", "current")
        .order_by("region_id", "implementation_code")
    )
