"""两页开通率 and 使用率 per city, monitoring-style: numerator, denominator, rate.

* 开通 (opened): companies (persons) whose page was opened by the end of the month;
* 使用 (used): companies (persons) whose page was opened in the month;
* denominators: the latest ``monitoring.PopulationBase`` of the city up to that year —
  registered companies, and residents aged 20–49 (or the registered population when that
  age group is not loaded), as 潮府办函〔2017〕135号 defines the two-page rates.

``publish`` writes the month's users to ``monitoring.PageUsage`` (source ``spaces``), so
the monitoring dashboards' 两页使用率 counts the pages' real use.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from govhall.monitoring.models import PageUsage, PopulationBase
from govhall.regions.models import Level, Region

from ..models import SpaceKind, SpaceOpening, SpaceUse

SOURCE = "spaces（两页系统统计）"


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def rate(numerator: int, denominator: int | None) -> float | None:
    if not denominator:
        return None
    return round(100 * numerator / denominator, 2)


@dataclass
class CityRow:
    code: str
    name: str
    persons_opened: int
    persons_using: int
    residents: int | None
    companies_opened: int
    companies_using: int
    companies: int | None

    @property
    def person_opening_rate(self):
        return rate(self.persons_opened, self.residents)

    @property
    def person_usage_rate(self):
        return rate(self.persons_using, self.residents)

    @property
    def company_opening_rate(self):
        return rate(self.companies_opened, self.companies)

    @property
    def company_usage_rate(self):
        return rate(self.companies_using, self.companies)

    def as_dict(self) -> dict:
        return {
            "region": self.code,
            "name": self.name,
            "persons_opened": self.persons_opened,
            "persons_using": self.persons_using,
            "residents_20_49": self.residents,
            "person_opening_rate": self.person_opening_rate,
            "person_usage_rate": self.person_usage_rate,
            "companies_opened": self.companies_opened,
            "companies_using": self.companies_using,
            "registered_companies": self.companies,
            "company_opening_rate": self.company_opening_rate,
            "company_usage_rate": self.company_usage_rate,
        }


def _counts(rows, key: str) -> dict[tuple[str, str], int]:
    return {(r[key], r["kind"]): r["n"] for r in rows}


def cities(month: datetime.date, within: list[str] | None = None) -> list[CityRow]:
    """One row per city of the province (or of the given city codes), for ``month``."""
    regions = Region.objects.filter(level=Level.CITY).order_by("code")
    if within is not None:
        regions = regions.filter(code__in=within)
    regions = list(regions)
    codes = [r.code for r in regions]
    end = next_month(month)
    opened = _counts(
        SpaceOpening.objects.filter(city_code__in=codes, opened_at__date__lt=end)
        .values("city_code", "kind")
        .annotate(n=Count("pk"))
        .order_by(),
        "city_code",
    )
    using = {
        (r["opening__city_code"], r["opening__kind"]): r["n"]
        for r in SpaceUse.objects.filter(opening__city_code__in=codes, month=month)
        .values("opening__city_code", "opening__kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    bases = {}
    for base in PopulationBase.objects.filter(region_code__in=codes, year__lte=month.year).order_by(
        "year"
    ):
        bases[base.region_code] = base  # the latest year wins
    rows = []
    for region in regions:
        base = bases.get(region.code)
        people = (base.population_20_49 or base.registered_population) if base else None
        rows.append(
            CityRow(
                code=region.code,
                name=region.name,
                persons_opened=opened.get((region.code, SpaceKind.PERSON), 0),
                persons_using=using.get((region.code, SpaceKind.PERSON), 0),
                residents=people or None,
                companies_opened=opened.get((region.code, SpaceKind.COMPANY), 0),
                companies_using=using.get((region.code, SpaceKind.COMPANY), 0),
                companies=(base.registered_companies or None) if base else None,
            )
        )
    return rows


@transaction.atomic
def publish(month: datetime.date) -> int:
    """Write the month's users per city to monitoring's ``PageUsage``; returns rows written."""
    written = 0
    for row in cities(month):
        usage = PageUsage.objects.filter(region_code=row.code, month=month).first()
        if usage is None and not (row.persons_using or row.companies_using):
            continue  # nothing to report, nothing reported before
        usage = usage or PageUsage(region_code=row.code, month=month)
        usage.persons_using = row.persons_using
        usage.companies_using = row.companies_using
        usage.source = SOURCE
        usage.save()  # audited (monitoring registers PageUsage)
        written += 1
    return written
