"""The monthly report of a region as PDF (WeasyPrint, Noto CJK fonts, as the printable
guides of the catalogue): the region's figures against their targets, the units under it,
its own departments that had cases, and the trend of the twelve months up to the
report's month."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from govhall.monitoring.models import Indicator
from govhall.monitoring.services import indicators, refresh
from govhall.regions.models import Region

from . import tables
from .params import Period

# The columns of the units tables: the case indicators and the online-handling rate.
COLUMNS = (*indicators.CASE_INDICATORS, Indicator.ONLINE_FULL)


def _table(rows: list[tables.UnitRow]) -> list[dict]:
    return [
        {
            "name": row.name,
            "volume": row.volume,
            "cells": [row.cell_for(indicator) for indicator in COLUMNS],
        }
        for row in rows
    ]


def context(region: Region, month: datetime.date) -> dict:
    period = Period.for_month(month)
    s = period.slice(region.code)
    own, region_units = indicators.overview(s)
    headline = tables.cells(own, s)
    units = tables.unit_rows(region_units, period, lambda unit: "")
    departments = tables.unit_rows(indicators.department_units(s), period, lambda unit: "")
    active = [row for row in departments if row.volume]
    trend_slice = period.trend_slice(region.code)
    return {
        "region": region,
        "period": period,
        "headline": headline,
        "columns": [Indicator(indicator).label for indicator in COLUMNS],
        "units": _table(units),
        "departments": _table(active),
        "idle_departments": len(departments) - len(active),
        "trend": tables.trend_rows(indicators.trend(trend_slice), trend_slice),
        "case_indicators": [Indicator(i).label for i in indicators.CASE_INDICATORS],
        "generated_at": timezone.localtime(),
        "refreshed_at": refresh.last_refreshed(),
        "pending": refresh.lag(),
    }


def render_pdf(region: Region, month: datetime.date, base_url: str | None = None) -> bytes:
    import weasyprint

    html = render_to_string("monitoring/staff/report.html", context(region, month))
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
