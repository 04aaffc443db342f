"""The rows the dashboard pages, exports and the PDF report show: each figure with its
rate, target and status in words, and the links to the cases or items behind its
numerator and denominator; the ranking of units; the monthly trend; chart options."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.monitoring.models import Indicator
from govhall.monitoring.services.indicators import (
    CASE_INDICATORS,
    ITEM_INDICATORS,
    UNITS,
    Figure,
    Slice,
    Unit,
)

from .params import Period, behind_params, ym

STATUS_LABELS = {
    "met": gettext_lazy("达标"),
    "below": gettext_lazy("未达标"),
    "no_target": gettext_lazy("无目标"),
    "no_data": gettext_lazy("无数据"),
}
# A mark before the status word, so the state never rests on colour alone.
STATUS_MARKS = {"met": "✓", "below": "✗", "no_target": "–", "no_data": "–"}
PARTS = {"numerator": gettext_lazy("分子"), "denominator": gettext_lazy("分母")}
TRACEABLE = frozenset(CASE_INDICATORS) | frozenset(ITEM_INDICATORS)
# What each part of a traceable indicator counts (潮府办函〔2017〕135号, 名词解释).
PART_DESCRIPTIONS = {
    (Indicator.ONLINE_APPLY, "numerator"): gettext_lazy("网上（电脑端、移动端）申办并已办结的办件"),
    (Indicator.ONLINE_APPLY, "denominator"): gettext_lazy("当月办结的全部办件（业务量）"),
    (Indicator.ONLINE_CONCLUDE, "numerator"): gettext_lazy(
        "网上申办、到现场不超过1次并已办结的办件（网上全流程办结）"
    ),
    (Indicator.ONLINE_CONCLUDE, "denominator"): gettext_lazy("当月办结的全部办件（业务量）"),
    (Indicator.VISITS_LE1, "numerator"): gettext_lazy("网上申办的办件中到现场不超过1次的办件"),
    (Indicator.VISITS_LE1, "denominator"): gettext_lazy("网上申办并已办结的办件"),
    (Indicator.VISITS_ZERO, "numerator"): gettext_lazy("网上申办的办件中零跑动的办件"),
    (Indicator.VISITS_ZERO, "denominator"): gettext_lazy("网上申办并已办结的办件"),
    (Indicator.ONLINE_FULL, "numerator"): gettext_lazy(
        "网上办理深度达到三级及以上、到现场不超过1次的事项"
    ),
    (Indicator.ONLINE_FULL, "denominator"): gettext_lazy("进驻网上办事大厅的已发布事项"),
    (Indicator.PLATFORM, "numerator"): gettext_lazy(
        "在统一申办受理平台办理（非部门自建系统）的事项"
    ),
    (Indicator.PLATFORM, "denominator"): gettext_lazy("进驻网上办事大厅的已发布事项"),
    (Indicator.MOBILE, "numerator"): gettext_lazy("面向个人且可在移动端办理的事项"),
    (Indicator.MOBILE, "denominator"): gettext_lazy("面向个人的已发布事项"),
}


def percent(value) -> str:
    if value is None:
        return "—"
    return f"{float(value):g}%"


def unit_of(figure: Figure) -> str:
    return str(UNITS.get(figure.indicator, _("件")))


def behind_url(s: Slice, indicator: str, part: str) -> str:
    if indicator not in TRACEABLE:
        return ""
    url = reverse("workbench:monitoring-behind", args=[s.region_code])
    return f"{url}?{urlencode(behind_params(s, indicator, part))}"


@dataclass
class Cell:
    """One figure as a page shows it."""

    figure: Figure
    slice: Slice

    @property
    def indicator(self) -> str:
        return self.figure.indicator

    @property
    def label(self) -> str:
        return self.figure.label

    @property
    def rate(self) -> float | None:
        return self.figure.rate

    @property
    def rate_text(self) -> str:
        return percent(self.figure.rate)

    @property
    def target_text(self) -> str:
        return percent(self.figure.target)

    @property
    def status(self) -> str:
        return self.figure.status

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.figure.status])

    @property
    def status_text(self) -> str:
        return f"{STATUS_MARKS[self.figure.status]} {self.status_label}"

    @property
    def unit(self) -> str:
        return unit_of(self.figure)

    @property
    def numerator_url(self) -> str:
        if self.figure.numerator is None:
            return ""
        return behind_url(self.slice, self.indicator, "numerator")

    @property
    def denominator_url(self) -> str:
        if self.figure.denominator is None:
            return ""
        return behind_url(self.slice, self.indicator, "denominator")

    def export_values(self) -> list:
        target = float(self.figure.target) if self.figure.target is not None else None
        return [
            self.figure.numerator,
            self.figure.denominator,
            self.figure.rate,
            target,
            self.status_label,
        ]


def cells(figures: dict[str, Figure], s: Slice) -> list[Cell]:
    return [Cell(figure, s) for figure in figures.values()]


@dataclass
class UnitRow:
    unit: Unit
    cell: Cell | None
    url: str = ""
    rank: int | None = None
    cells: list[Cell] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def volume(self) -> int:
        return self.unit.volume

    def cell_for(self, indicator: str) -> Cell | None:
        return next((c for c in self.cells if c.indicator == indicator), None)


def unit_rows(units: list[Unit], period: Period, url_for) -> list[UnitRow]:
    """Units ranked by the period's indicator (no data last, whatever the order)."""
    rows = []
    for unit in units:
        unit_cells = cells(unit.figures, unit.slice)
        chosen = next((c for c in unit_cells if c.indicator == period.indicator), None)
        rows.append(UnitRow(unit, chosen, url_for(unit), cells=unit_cells))
    with_rate = [r for r in rows if r.cell is not None and r.cell.rate is not None]
    without = [r for r in rows if r not in with_rate]
    with_rate.sort(key=lambda r: r.cell.rate, reverse=period.order == "desc")
    previous, rank = None, 0
    for index, row in enumerate(with_rate, start=1):
        if row.cell.rate != previous:
            rank, previous = index, row.cell.rate
        row.rank = rank
    return with_rate + without


@dataclass
class TrendRow:
    month: datetime.date
    cells: list[Cell]

    @property
    def label(self) -> str:
        return ym(self.month)


def trend_rows(trend, s: Slice) -> list[TrendRow]:
    rows = []
    for month, figures in trend:
        month_slice = Slice(
            month,
            month,
            region_code=s.region_code,
            scope=s.scope,
            department_code=s.department_code,
            level=s.level,
            item_type=s.item_type,
        )
        rows.append(TrendRow(month, cells(figures, month_slice)))
    return rows


# --- charts (ECharts options, rendered by static/workbench/monitoring/charts.js) ---------

BAR_COLOURS = {"met": "#125b2c", "below": "#b3001b"}
NEUTRAL = "#0b4f9c"
TARGET_COLOUR = "#1a1a1a"
LINE_SYMBOLS = ("circle", "rect", "triangle", "diamond")
LINE_COLOURS = ("#0b4f9c", "#b3001b", "#125b2c", "#6b3fa0")


def bar_chart(rows: list[UnitRow], indicator_label: str, title: str) -> tuple[dict, str]:
    """Horizontal bars of each unit's rate (green: met, red: below, blue: no target), a
    dark tick across each bar at the unit's target."""
    shown = [r for r in rows if r.cell is not None]
    names = [r.name for r in shown]
    # One bar series per colour, stacked on one axis: the legend then shows each colour
    # the bars use under what it means (one series showed a single blue swatch for green
    # and red bars).
    kinds = [
        ("met", _("%(indicator)s（达到目标）"), BAR_COLOURS["met"]),
        ("below", _("%(indicator)s（未达目标）"), BAR_COLOURS["below"]),
        ("", _("%(indicator)s（未设目标）"), NEUTRAL),
    ]
    bar_series = []
    for status, name, colour in kinds:
        data = [
            r.cell.rate
            if (r.cell.status if r.cell.status in BAR_COLOURS else "") == status
            else None
            for r in shown
        ]
        if all(value is None for value in data):
            continue
        bar_series.append(
            {
                "name": name % {"indicator": indicator_label},
                "type": "bar",
                "stack": "rate",
                "data": data,
                "barMaxWidth": 22,
                "itemStyle": {"color": colour},
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
            }
        )
    targets = [
        float(r.cell.figure.target) if r.cell.figure.target is not None else None for r in shown
    ]
    options = {
        "percent": True,
        "tooltipTrigger": "item",
        "height": 80 + 34 * max(len(shown), 1),
        "legend": {"top": 0, "data": [*(b["name"] for b in bar_series), _("目标值")]},
        "grid": {"left": 8, "right": 56, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": names,
            "axisLabel": {"width": 112, "overflow": "truncate"},
        },
        "series": [
            *bar_series,
            {
                # A tick across each bar where its target lies (targets differ by unit).
                "name": _("目标值"),
                "type": "scatter",
                "data": targets,
                "symbol": "rect",
                "symbolSize": [4, 26],
                "z": 3,
                "itemStyle": {"color": TARGET_COLOUR},
            },
        ],
    }
    with_rate = [r for r in shown if r.cell.rate is not None]
    if with_rate:
        best = max(with_rate, key=lambda r: r.cell.rate)
        worst = min(with_rate, key=lambda r: r.cell.rate)
        met = sum(1 for r in with_rate if r.cell.status == "met")
        summary = _(
            "条形图：%(title)s。%(n)s个单位有数据，最高%(best)s %(best_rate)s，"
            "最低%(worst)s %(worst_rate)s，%(met)s个达到目标。详细数据见下方表格。"
        ) % {
            "title": title,
            "n": len(with_rate),
            "best": best.name,
            "best_rate": best.cell.rate_text,
            "worst": worst.name,
            "worst_rate": worst.cell.rate_text,
            "met": met,
        }
    else:
        summary = _("条形图：%(title)s。本期没有数据。") % {"title": title}
    return options, summary


def trend_chart(rows: list[TrendRow], title: str) -> tuple[dict, str]:
    """One line per case indicator, month by month; gaps where a month had no cases."""
    months = [r.label for r in rows]
    series = []
    for index, indicator in enumerate(CASE_INDICATORS):
        values = []
        for row in rows:
            cell = next(c for c in row.cells if c.indicator == indicator)
            values.append(cell.rate)
        series.append(
            {
                "name": str(Indicator(indicator).label),
                "type": "line",
                "data": values,
                "connectNulls": False,
                "symbol": LINE_SYMBOLS[index % len(LINE_SYMBOLS)],
                "symbolSize": 8,
                "itemStyle": {"color": LINE_COLOURS[index % len(LINE_COLOURS)]},
                "lineStyle": {"color": LINE_COLOURS[index % len(LINE_COLOURS)]},
            }
        )
    options = {
        "percent": True,
        "height": 340,
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 16, "top": 44, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {
            "type": "value",
            "min": 0,
            "max": 100,
            "axisLabel": {"formatter": "{value}%"},
        },
        "series": series,
    }
    latest = next((r for r in reversed(rows) if any(c.rate is not None for c in r.cells)), None)
    if latest is None:
        summary = _("折线图：%(title)s。所选月份没有数据。") % {"title": title}
    else:
        figures = "，".join(
            f"{c.label}{c.rate_text}" for c in latest.cells if c.indicator in CASE_INDICATORS
        )
        summary = _(
            "折线图：%(title)s，%(first)s至%(last)s。最近有数据的月份%(month)s：%(figures)s。"
            "详细数据见下方表格。"
        ) % {
            "title": title,
            "first": months[0] if months else "",
            "last": months[-1] if months else "",
            "month": latest.label,
            "figures": figures,
        }
    return options, summary
