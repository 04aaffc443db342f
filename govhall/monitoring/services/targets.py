"""Targets: loaded from the work plans' goal sections, editable by supervisors.

A figure of a region as a whole looks for the region's own ``total`` target and its
parent's ``subregions`` target; a figure of departments looks for the region's
``departments`` target. The highest rank wins (a city's own plan over the province's).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from govhall.regions.models import Region

from ..data.targets import PLANS
from ..models import Indicator, Target, TargetScope


def load_seed_targets() -> int:
    """Create the plans' targets that are missing (edited values are kept)."""
    created = 0
    with transaction.atomic():
        for year, regions, scope, rank, source, values in PLANS:
            for region_code in regions:
                for indicator, value in values.items():
                    _, made = Target.objects.get_or_create(
                        year=year,
                        indicator=indicator,
                        region_code=region_code,
                        scope=scope,
                        rank=rank,
                        defaults={"value": Decimal(value), "source": source},
                    )
                    created += made
    return created


class TargetBook:
    """The targets of a year (and earlier years, which stand until replaced), loaded once
    so that a dashboard of many units resolves them without a query per unit."""

    def __init__(self, year: int):
        self.year = year
        self.rows = list(Target.objects.filter(year__lte=year))
        self._parents: dict[str, str | None] = {}

    def parent_of(self, region_code: str) -> str | None:
        if region_code not in self._parents:
            self._parents[region_code] = (
                Region.objects.filter(code=region_code).values_list("parent_id", flat=True).first()
            )
        return self._parents[region_code]

    def remember_parents(self, parents: dict[str, str | None]) -> None:
        self._parents.update(parents)

    def for_(self, region_code: str, scope: str) -> dict[str, Target]:
        """The target of each indicator that applies to a region (as a whole) or to its
        own level's departments. A year without its own plan is judged by the latest
        earlier one (the figure shows the target's year and source)."""
        if scope == TargetScope.DEPARTMENTS:
            wanted = {(region_code, TargetScope.DEPARTMENTS)}
        else:
            wanted = {(region_code, TargetScope.TOTAL)}
            parent = self.parent_of(region_code)
            if parent:
                wanted.add((parent, TargetScope.SUBREGIONS))
        chosen: dict[str, Target] = {}
        for target in self.rows:
            if (target.region_code, target.scope) not in wanted:
                continue
            current = chosen.get(target.indicator)
            if current is None or _preference(target, region_code) > _preference(
                current, region_code
            ):
                chosen[target.indicator] = target
        return chosen


def targets_for(year: int, region_code: str, scope: str) -> dict[str, Target]:
    return TargetBook(year).for_(region_code, scope)


def _preference(target: Target, region_code: str) -> tuple[int, int, int]:
    return (target.year, target.rank, 1 if target.region_code == region_code else 0)


def save_target(
    *,
    year,
    indicator: str,
    region_code: str,
    scope: str,
    value,
    source: str,
    rank: int = 2,
) -> Target:
    """Set (create or change) one target of a rank (2: this hall's own decision)."""
    errors: dict[str, list[str]] = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = ["“年度”须为2000至2100之间的年份。"]
    if indicator not in Indicator.values:
        errors["indicator"] = [f"“指标”不存在：{indicator}。"]
    if scope not in TargetScope.values:
        errors["scope"] = [f"“适用对象”不存在：{scope}。"]
    if not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = [f"区划代码“{region_code}”不存在。"]
    try:
        value = Decimal(str(value)).quantize(Decimal("0.1"))
        if not Decimal(0) <= value <= Decimal(100):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = ["“目标值”须为0至100之间的百分数，最多一位小数。"]
    if not (source or "").strip():
        errors["source"] = ["请填写“依据”（文件名称或文号）。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target = (
            Target.objects.select_for_update()
            .filter(year=year, indicator=indicator, region_code=region_code, scope=scope, rank=rank)
            .first()
        )
        if target is None:
            target = Target(
                year=year, indicator=indicator, region_code=region_code, scope=scope, rank=rank
            )
        target.value, target.source = value, source.strip()
        target.save()  # audited: the app registers Target with the audit chain
    return target
