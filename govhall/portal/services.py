"""What a hall's home page shows: its region, the way up, the halls below, its departments."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet

from govhall.regions.models import LEVEL_ORDER, Department, Hall, Level, Region

# Navigation of every hall; later subsystems fill the sections (catalogue, cases, ...).
SECTIONS = [
    ("personal", "个人办事", "按主题、按部门查找面向自然人的服务事项"),
    ("business", "法人办事", "企业开办、经营许可、投资项目等面向法人的服务事项"),
    ("departments", "部门服务", "本级各部门进驻大厅的服务事项"),
    ("progress", "办件查询", "输入办件编号与证件号码查询办理进度"),
    ("interaction", "互动交流", "咨询、投诉与好差评"),
    ("supervision", "效能监督", "每月公开的办件、投诉与监督结果"),
]


@dataclass
class HallPage:
    hall: Hall
    region: Region
    ancestors: list[Region]
    child_halls: list[Hall]
    departments: QuerySet[Department]
    counts: dict[str, int]

    @property
    def count_rows(self) -> list[tuple[str, int]]:
        return [(LEVEL_LABELS[lv], self.counts[lv]) for lv in LEVEL_ORDER if lv in self.counts]


def main_hall() -> Hall:
    return Hall.objects.select_related("region").get(region_id=settings.GOVHALL_PROVINCE_CODE)


def hall_for(code: str) -> Hall:
    return Hall.objects.select_related("region__parent").get(region_id=code, is_active=True)


def hall_page(hall: Hall) -> HallPage:
    region = hall.region
    child_halls = list(
        Hall.objects.filter(region__parent=region, is_active=True)
        .select_related("region")
        .order_by("region__code")
    )
    departments = Department.objects.filter(region=region, is_active=True).order_by(
        "sort_order", "name"
    )
    counts = dict(
        Region.objects.filter(code__startswith=region.prefix)
        .exclude(code=region.code)
        .values_list("level")
        .annotate(n=Count("code"))
    )
    return HallPage(hall, region, region.ancestors(), child_halls, departments, counts)


LEVEL_LABELS = dict(Level.choices)
