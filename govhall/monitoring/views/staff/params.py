"""What a dashboard is asked for: the month of its figures, the first month of its trend,
the item type, and the indicator the ranking is sorted by — read leniently from the query
string (a value that does not parse falls back to its default) and written back into
every link, so a drill-down shows exactly the slice of the number it came from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.catalog.models.choices import ItemType
from govhall.monitoring.models import Indicator, MonthlyRollup, TargetScope
from govhall.monitoring.services.indicators import Slice, parse_month

ALL_TYPES = "all"
TREND_MONTHS = 12  # the trend shows the 12 months up to the chosen one by default
MAX_TREND_MONTHS = 60
DEFAULT_INDICATOR = Indicator.ONLINE_APPLY
ORDERS = {"desc": _("由高到低"), "asc": _("由低到高")}


def ym(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def this_month() -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year, today.month, 1)


def latest_month(condition: Q) -> datetime.date:
    """The latest *complete* month with concluded cases under ``condition``: a dashboard
    opens on whole-month numbers, not on the first days of this month (a few cases,
    rates that swing). Only when nothing was concluded before this month does it open
    on this month (a new installation)."""
    current = this_month()
    rollups = MonthlyRollup.objects.filter(condition)
    found = rollups.filter(month__lt=current).aggregate(latest=Max("month"))["latest"]
    if found is None and rollups.filter(month=current).exists():
        return current
    return found or add_months(current, -1)


@dataclass(frozen=True)
class Period:
    month: datetime.date
    first: datetime.date
    item_type: str = ItemType.LICENSING
    indicator: str = DEFAULT_INDICATOR
    order: str = "desc"

    @classmethod
    def from_request(cls, request, default_month: datetime.date) -> Period:
        data = request.GET
        month = parse_month(data.get("month")) or default_month
        first = parse_month(data.get("from")) or add_months(month, 1 - TREND_MONTHS)
        if first > month:
            first = month
        first = max(first, add_months(month, 1 - MAX_TREND_MONTHS))
        item_type = data.get("item_type", ItemType.LICENSING)
        if item_type == ALL_TYPES:
            item_type = ""
        elif item_type not in ItemType.values:
            item_type = ItemType.LICENSING
        indicator = data.get("indicator", DEFAULT_INDICATOR)
        if indicator not in Indicator.values:
            indicator = DEFAULT_INDICATOR
        order = data.get("order", "desc")
        return cls(month, first, item_type, indicator, order if order in ORDERS else "desc")

    @classmethod
    def for_month(cls, month: datetime.date) -> Period:
        return cls(month, add_months(month, 1 - TREND_MONTHS))

    def slice(self, region_code: str, **kwargs) -> Slice:
        """The figures' slice: the chosen month."""
        return Slice(
            self.month, self.month, region_code=region_code, item_type=self.item_type, **kwargs
        )

    def trend_slice(self, region_code: str, **kwargs) -> Slice:
        return Slice(
            self.first, self.month, region_code=region_code, item_type=self.item_type, **kwargs
        )

    @property
    def item_type_param(self) -> str:
        return self.item_type or ALL_TYPES

    @property
    def months(self) -> list[datetime.date]:
        result, month = [], self.first
        while month <= self.month:
            result.append(month)
            month = add_months(month, 1)
        return result

    def params(self, **overrides) -> dict[str, str]:
        values = {
            "month": ym(self.month),
            "from": ym(self.first),
            "item_type": self.item_type_param,
            "indicator": self.indicator,
            "order": self.order,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return values

    def query(self, **overrides) -> str:
        return urlencode(self.params(**overrides))

    def with_month(self, month: datetime.date) -> Period:
        return replace(self, month=month)


def behind_params(s: Slice, indicator: str, part: str) -> dict[str, str]:
    """The query string of the drill-down behind one number of slice ``s``."""
    params = {
        "indicator": indicator,
        "part": part,
        "scope": s.scope if not s.department_code else TargetScope.DEPARTMENTS,
        "month": ym(s.last_month),
        "item_type": s.item_type or ALL_TYPES,
    }
    if s.first_month != s.last_month:
        params["from"] = ym(s.first_month)
    if s.department_code:
        params["department"] = s.department_code
    return params
