"""证照电子化率: of the licence types a department is due to issue, how many it issued
electronically in a period — per department, and rolled up per region.

* due: the distinct ``result_licence_type`` of the department's published items (their
  current version) that name an active type of the 通用目录;
* issued electronically: of those, the types of which the department issued at least one
  licence in the period through a case's conclusion (``Licence.case`` set, version 1
  dated in the period) or digitised one in the period (存量电子化, signed in the period).

A region's figure adds up its departments' (a department and a type is one unit), so a
county's gap is not hidden by a neighbour issuing the same type. Every row lists the
codes behind both numbers, so a figure can be traced back to items and licences.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q

from govhall.catalog.models import Item
from govhall.core.errors import refuse
from govhall.regions.models import PREFIX_LENGTH, Department, Level, Region

from ..models import Licence, LicenceType


@dataclass(frozen=True)
class Period:
    year: int | None = None
    month: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@dataclass
class DepartmentRate:
    department_code: str
    department_name: str
    region_code: str
    due_type_codes: list[str]
    issued_type_codes: list[str]

    @property
    def numerator(self) -> int:
        return len(self.issued_type_codes)

    @property
    def denominator(self) -> int:
        return len(self.due_type_codes)

    @property
    def rate(self) -> float | None:
        return round(self.numerator / self.denominator, 4) if self.denominator else None


@dataclass
class RegionRate:
    region_code: str
    region_name: str
    level: str
    department_codes: list[str] = field(default_factory=list)
    due: list[dict] = field(default_factory=list)  # {"department_code", "type_code"}
    issued: list[dict] = field(default_factory=list)

    @property
    def numerator(self) -> int:
        return len(self.issued)

    @property
    def denominator(self) -> int:
        return len(self.due)

    @property
    def rate(self) -> float | None:
        return round(self.numerator / self.denominator, 4) if self.denominator else None


@dataclass
class ElectronicRate:
    period: Period
    departments: list[DepartmentRate]
    regions: list[RegionRate]


def period_of(year: int | None, month: int | None) -> Period:
    if month is not None and year is None:
        raise refuse("year", "required", "按月统计时须同时填写“年份”。")
    if year is None:
        return Period()
    if not 2000 <= year <= 2100:
        raise refuse("year", "range", "“年份”须在2000至2100之间。")
    if month is None:
        return Period(year, None, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if not 1 <= month <= 12:
        raise refuse("month", "range", "“月份”须在1至12之间。")
    last = calendar.monthrange(year, month)[1]
    return Period(year, month, datetime.date(year, month, 1), datetime.date(year, month, last))


def _root_region(region_code, department) -> Region:
    if region_code:
        region = Region.objects.filter(code=str(region_code).strip()).first()
        if region is None:
            raise refuse("region", "not_found", f"区划代码“{region_code}”不存在。")
        if department is not None and not department.region_id.startswith(region.prefix):
            raise refuse("department", "outside_region", f"{department.name}不在{region.name}内。")
        return region
    if department is not None:
        return department.region
    return Region.objects.filter(level=Level.PROVINCE).order_by("code").first()


def _due(department_ids) -> dict[int, set[str]]:
    active = set(LicenceType.objects.filter(is_active=True).values_list("code", flat=True))
    due: dict[int, set[str]] = defaultdict(set)
    rows = (
        Item.objects.published()
        .filter(department_id__in=department_ids)
        .exclude(current__result_licence_type="")
        .values_list("department_id", "current__result_licence_type")
    )
    for department_id, code in rows:
        if code.strip() in active:
            due[department_id].add(code.strip())
    return due


def _issued(due: dict[int, set[str]], period: Period) -> dict[int, set[str]]:
    """Types of ``due`` each department issued electronically in the period."""
    if not due:
        return {}
    through_case = Q(case__isnull=False)
    digitised = Q(digitised=True)
    if period.date_from is not None:
        through_case &= Q(versions__issue_date__range=(period.date_from, period.date_to))
        digitised &= Q(versions__issued_at__date__range=(period.date_from, period.date_to))
    codes = set().union(*due.values())
    # One filter() call, so both conditions are on the same (first) version row.
    rows = (
        Licence.objects.filter(
            Q(versions__version=1) & (through_case | digitised),
            issuer_id__in=list(due),
            type__code__in=codes,
        )
        .values_list("issuer_id", "type__code")
        .distinct()
    )
    issued: dict[int, set[str]] = defaultdict(set)
    for department_id, code in rows:
        if code in due[department_id]:
            issued[department_id].add(code)
    return issued


def electronic_rate(
    region_code: str | None = None,
    department=None,
    year: int | None = None,
    month: int | None = None,
    *,
    scope=None,
    with_regions: bool = True,
) -> ElectronicRate:
    """Rows for the departments in the region (or the one department) that are due at least
    one type, and the region with every region between it and them. ``scope`` (a
    ``StaffScope``) narrows both to what its holder may see."""
    period = period_of(year, month)
    root = _root_region(region_code, department)
    if root is None:  # no regions loaded
        return ElectronicRate(period, [], [])
    if department is not None:
        departments = Department.objects.filter(pk=department.pk)
    else:
        departments = Department.objects.filter(region__code__startswith=root.prefix)
    if scope is not None and not scope.is_superuser:
        departments = departments.filter(pk__in=scope.departments().values("pk"))
    # The items are filtered by a subquery: a province has 1,500 departments, and a list
    # of their ids costs more to send and plan than the join.
    due = _due(departments.values("pk"))
    departments = [
        _Department(*row)
        for row in departments.order_by("region_id", "pk").values_list(
            "pk", "credit_code", "name", "region_id"
        )
    ]
    issued = _issued(due, period)

    department_rows = [
        DepartmentRate(
            department_code=d.credit_code,
            department_name=d.name,
            region_code=d.region_id,
            due_type_codes=sorted(due.get(d.pk, ())),
            issued_type_codes=sorted(issued.get(d.pk, ())),
        )
        for d in departments
        if d.pk in due or department is not None
    ]
    # Monitoring adds department rows up itself and skips the per-region breakdown.
    regions = _region_rows(root, departments, department_rows, scope) if with_regions else []
    return ElectronicRate(period, department_rows, regions)


class _Department(NamedTuple):
    """What the rate needs of a department (a province has 1,500: no model instances)."""

    pk: int
    credit_code: str
    name: str
    region_id: str


def _chain_codes(code: str) -> set[str]:
    """The codes a region and its ancestors can have (GB/T 2260 is hierarchical by prefix)."""
    return {code[:2] + "0000", code[:4] + "00", code[:6], code[:9], code}


def _region_rows(root: Region, departments, department_rows, scope) -> list[RegionRate]:
    """The root region and every region between it and a counted department's region."""
    region_code = {d.credit_code: d.region_id for d in departments}
    candidates = {root.code}
    for row in department_rows:
        candidates |= _chain_codes(region_code[row.department_code])
    wanted = Region.objects.filter(code__in=candidates, code__startswith=root.prefix)
    if scope is not None and not scope.is_superuser:
        wanted = [r for r in wanted if scope.covers_region_code(r.code)]
    rows = []
    for region in sorted(wanted, key=lambda r: r.code):
        row = RegionRate(region.code, region.name, region.level)
        prefix = region.code[: PREFIX_LENGTH[Level(region.level)]]
        for dept in department_rows:
            if not dept.region_code.startswith(prefix):
                continue
            row.department_codes.append(dept.department_code)
            row.due += [{"department_code": dept.department_code, "type_code": t}
                        for t in dept.due_type_codes]  # fmt: skip
            row.issued += [{"department_code": dept.department_code, "type_code": t}
                           for t in dept.issued_type_codes]  # fmt: skip
        rows.append(row)
    return rows
