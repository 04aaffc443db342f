"""Loading the reference data of §1: regions, halls and departments (idempotent).

Bulk writes skip the per-row audit signals, so each load appends one summary entry to
the audit chain instead (what was added, what changed).
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from govhall.core.identifiers import make_credit_code
from govhall.core.services import audit

from ..data import departments as department_data
from ..models import Department, Hall, Level, Region

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REGIONS_CSV = DATA_DIR / "guangdong.csv"
JIANGMEN, CHAOZHOU = "440700", "445100"


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"created": dict(self.created), "updated": dict(self.updated)}

    def audit(self, object_type: str, what: str, reason: str) -> None:
        """One audit entry for a load that changed ``what`` (what it created and updated)."""
        audit.record(
            audit.Action.IMPORT,
            object_type=object_type,
            object_repr=what,
            after=self.as_dict(),
            reason=reason,
        )


def read_regions(path: Path = REGIONS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_regions(rows: list[dict[str, str]] | None = None) -> LoadReport:
    rows = rows if rows is not None else read_regions()
    report = LoadReport()
    existing = {r.code: r for r in Region.objects.all()}
    new, changed = [], []
    for row in rows:  # parents come before children in the file
        region = existing.get(row["code"])
        parent = row["parent"] or None
        if region is None:
            new.append(
                Region(code=row["code"], name=row["name"], level=row["level"], parent_id=parent)
            )
            report.created[row["level"]] += 1
        elif (region.name, region.level, region.parent_id) != (row["name"], row["level"], parent):
            region.name, region.level, region.parent_id = row["name"], row["level"], parent
            changed.append(region)
            report.updated[row["level"]] += 1
    Region.objects.bulk_create(new, batch_size=1000)
    Region.objects.bulk_update(changed, ["name", "level", "parent"], batch_size=1000)
    if new or changed:
        report.audit("regions.region", "行政区划", "载入GB/T 2260行政区划")
    return report


def hall_name(region: Region, province: Region, city: Region | None) -> str:
    level = Level(region.level)
    if level == Level.PROVINCE:
        return f"{region.name}网上办事大厅"
    if level == Level.CITY:
        return f"{province.name}网上办事大厅{region.name.removesuffix('市')}分厅"
    if level == Level.COUNTY:
        return f"{city.name if city else ''}{region.name}网上办事分厅"
    if level == Level.TOWN:
        return f"{region.name}网上办事站"
    return f"{region.name}网上办事点"


@transaction.atomic
def create_halls() -> LoadReport:
    report = LoadReport()
    regions = {r.code: r for r in Region.objects.all()}
    have = set(Hall.objects.values_list("region_id", flat=True))
    province = regions.get(settings.GOVHALL_PROVINCE_CODE)
    new = []
    for region in regions.values():
        if region.code in have or province is None:
            continue
        city = regions.get(region.code[:4] + "00")
        kind = Hall.KIND_FOR_LEVEL[Level(region.level)]
        new.append(Hall(region=region, kind=kind, name=hall_name(region, province, city)))
        report.created[kind] += 1
    Hall.objects.bulk_create(new, batch_size=1000)
    if new:
        report.audit("regions.hall", "办事大厅", "为各级区划开设办事大厅")
    return report


@transaction.atomic
def open_hall(region: Region) -> Hall:
    """The hall of one region, created if missing (a region added by hand gets its hall)."""
    hall = Hall.objects.filter(region=region).first()
    if hall is not None:
        return hall
    province = Region.objects.get(code=settings.GOVHALL_PROVINCE_CODE)
    city = Region.objects.filter(code=region.code[:4] + "00").first()
    return Hall.objects.create(
        region=region,
        kind=Hall.KIND_FOR_LEVEL[Level(region.level)],
        name=hall_name(region, province, city),
    )


def credit_code_for(region: Region, name: str, category: str = "11") -> str:
    """A deterministic, well-formed placeholder credit code for a department."""
    digest = hashlib.sha256(f"{region.code}:{name}".encode()).hexdigest()
    entity8 = f"{int(digest[:12], 16) % 10**8:08d}"
    return make_credit_code(category, region.county_code, entity8)


def _department_rows(region: Region) -> list[tuple[str, str, str]]:
    if region.level == Level.PROVINCE:
        return department_data.PROVINCE
    if region.code == JIANGMEN:
        return department_data.JIANGMEN
    if region.code == CHAOZHOU:
        return department_data.CHAOZHOU
    if region.level == Level.CITY:
        return [(region.name + n, "市" + s, k) for n, s, k in department_data.CITY_COMMON]
    if region.level == Level.COUNTY:
        short = region.name[-1]
        return [(region.name + n, short + s, k) for n, s, k in department_data.COUNTY_COMMON]
    if region.level == Level.TOWN:
        suffix = "办事处" if region.name.endswith("街道") else "人民政府"
        return [(region.name + suffix, region.name, "township")]
    return []


def department_regions() -> list[Region]:
    """Province, all cities and counties; towns of the two seed cities."""
    base = Region.objects.filter(level__in=[Level.PROVINCE, Level.CITY, Level.COUNTY])
    towns = Region.objects.filter(
        Q(code__startswith=JIANGMEN[:4]) | Q(code__startswith=CHAOZHOU[:4]), level=Level.TOWN
    )
    return list(base) + list(towns)


@transaction.atomic
def load_departments() -> LoadReport:
    report = LoadReport()
    have = set(Department.objects.values_list("region_id", "name"))
    new = []
    for region in department_regions():
        for order, (name, short, kind) in enumerate(_department_rows(region), start=1):
            if (region.code, name) in have:
                continue
            category = "12" if kind == "service_centre" else "11"
            new.append(
                Department(
                    credit_code=credit_code_for(region, name, category),
                    name=name,
                    short_name=short,
                    region=region,
                    kind=kind,
                    sort_order=order,
                )
            )
            report.created[region.level] += 1
    Department.objects.bulk_create(new, batch_size=1000)
    if new:
        report.audit("regions.department", "部门", "载入各级部门名录")
    apply_reforms(report=report)
    return report


@transaction.atomic
def apply_reforms(reforms=None, report: LoadReport | None = None) -> LoadReport:
    """Mark the bodies an institutional reform abolished and set up their successors.

    Nothing is deleted: the abolished body keeps its cases, items and staff history and
    gains ``abolished_on`` and ``successor``; lists of current departments leave it out
    (``Department.objects.current()``). Idempotent; each save is audited (regions.apps).
    """
    report = report or LoadReport()
    for code, old_name, on, new_name, short, kind in reforms or department_data.REFORMS:
        old = Department.objects.filter(region_id=code, name=old_name).first()
        if old is None:
            continue
        ceased = date.fromisoformat(on)
        successor = Department.objects.filter(region_id=code, name=new_name).first()
        if successor is None:
            region = old.region
            category = "12" if kind == "service_centre" else "11"
            successor = Department.objects.create(
                credit_code=credit_code_for(region, new_name, category),
                name=new_name,
                short_name=short,
                region=region,
                kind=kind,
                sort_order=old.sort_order,
                established_on=ceased,
            )
            report.created[region.level] += 1
        if old.abolished_on == ceased and old.successor_id == successor.pk:
            continue
        old.abolished_on, old.successor = ceased, successor
        old.save(update_fields=["abolished_on", "successor"])
        report.updated[old.region.level] += 1
    return report
