"""Test data of the sharing catalogue: the marriage resource of the population library,
a county civil-affairs requester, the provincial owner, and a stand-in library."""

from __future__ import annotations

import datetime

from django.utils import timezone

from govhall.regions.models import Department
from govhall.sharing.models import Library, Resource, ResourceField, SharingType
from govhall.sharing.services import sources

MARRIAGE_FIELDS = [
    ("marital_status", "婚姻状况"),
    ("spouse_name", "配偶姓名"),
    ("marriage_registered_on", "婚姻登记日期"),
    ("marriage_registry", "婚姻登记机关"),
]


def owner() -> Department:
    return Department.objects.get(region_id="440000", name="广东省民政厅")


def county() -> Department:
    return (
        Department.objects.filter(region_id="440703", name__contains="民政").order_by("pk").first()
    )


def marriage_resource(sharing_type: str = SharingType.CONDITIONAL) -> Resource:
    resource, _ = Resource.objects.get_or_create(
        code="RK-HYDJ",
        defaults={
            "name": "人口库婚姻登记信息",
            "owner": owner(),
            "library": Library.POPULATION,
            "sharing_type": sharing_type,
            "update_cycle": "realtime",
            "legal_basis": "《婚姻登记条例》（国务院令第387号）",
        },
    )
    for order, (code, name) in enumerate(MARRIAGE_FIELDS):
        ResourceField.objects.get_or_create(
            resource=resource, code=code, defaults={"name": name, "sort_order": order}
        )
    return resource


class StandInLibrary:
    """A population library in memory: ID number → attributes, as the base library's
    reader answers (each attribute with its source and time)."""

    def __init__(self):
        self.people: dict[str, dict[str, str]] = {}
        self.calls = 0

    def add_married(self, id_number: str, spouse: str = "李秀英") -> None:
        self.people[id_number] = {
            "marital_status": "已婚",
            "spouse_name": spouse,
            "marriage_registered_on": "2015-05-20",
            "marriage_registry": "江门市蓬江区民政局婚姻登记处",
        }

    def __call__(self, key: str, codes: list[str]):
        self.calls += 1
        record = self.people.get(key)
        if record is None:
            return None
        when = timezone.make_aware(datetime.datetime(2025, 5, 20, 9, 30))
        return sources.SourceRecord(
            {c: record[c] for c in codes if c in record},
            {c: "广东省民政厅" for c in record},
            {c: when for c in record},
            {"marital_status": "20"} if record.get("marital_status") == "已婚" else {},
        )

    def install(self):
        previous = sources.reader_for(Library.POPULATION)
        sources.register(Library.POPULATION, self)
        return previous
