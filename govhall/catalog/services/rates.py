"""Per-region catalogue rates of 潮府办函〔2017〕135号 task 2 (target 100 % each).

* 事项目录确认率 (confirmation rate) = items confirmed by their department / items in
  the catalogue (not cancelled).
* 事项标准录入提交率 (entry-submission rate) = items whose standard (a version) has been
  submitted for review at least once (or imported in force) / items in the catalogue.
* 审查通过率 (review-pass rate) = items whose most recently decided or pending version
  has passed review / items submitted. A version waiting for review counts as not yet
  passed, so the rate reaches 100 % only when every submission has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from govhall.regions.models import Region

from ..models import Item, ItemVersion

S = ItemVersion.State
SUBMITTED_STATES = [S.SUBMITTED, S.RETURNED, S.REVIEWED, S.PUBLISHED, S.SUPERSEDED]


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class CatalogueRates:
    region: Region
    items: int
    confirmed: int
    submitted: int
    passed: int

    @property
    def confirmation_rate(self) -> Decimal | None:
        return _rate(self.confirmed, self.items)

    @property
    def submission_rate(self) -> Decimal | None:
        return _rate(self.submitted, self.items)

    @property
    def review_pass_rate(self) -> Decimal | None:
        return _rate(self.passed, self.submitted)

    def as_dict(self) -> dict:
        def fmt(value):
            return None if value is None else str(value)

        return {
            "region": self.region.code,
            "region_name": self.region.name,
            "items": self.items,
            "confirmed": self.confirmed,
            "submitted": self.submitted,
            "passed": self.passed,
            "confirmation_rate": fmt(self.confirmation_rate),
            "submission_rate": fmt(self.submission_rate),
            "review_pass_rate": fmt(self.review_pass_rate),
        }


def rates_for(region: Region, descendants: bool = True) -> CatalogueRates:
    items = Item.objects.exclude(status=Item.Status.CANCELLED).in_region(region, descendants)
    total = items.count()
    confirmed = items.filter(confirmed_at__isnull=False).count()
    submitted_versions = ItemVersion.objects.filter(item__in=items, state__in=SUBMITTED_STATES)
    latest = dict(
        submitted_versions.values_list("item_id")
        .annotate(n=Max("number"))
        .values_list("item_id", "n")
    )
    passed = 0
    if latest:
        states = submitted_versions.filter(item_id__in=latest).values_list(
            "item_id", "number", "state"
        )
        passed = sum(
            1
            for item_id, number, state in states
            if latest[item_id] == number and state in ItemVersion.PASSED_STATES
        )
    return CatalogueRates(region, total, confirmed, len(latest), passed)


def rates_by_child_region(region: Region) -> list[CatalogueRates]:
    """The region itself (its own departments) followed by each child region (with theirs)."""
    rows = [rates_for(region, descendants=False)]
    for child in region.children.order_by("code"):
        if child.level in ("town", "village"):
            continue
        rows.append(rates_for(child, descendants=True))
    return rows
