"""The reference-data loaders are idempotent and audit what they change (one entry per load)."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from govhall.core.models import AuditEntry
from govhall.regions.models import Department, Hall, Region
from govhall.regions.services import loading

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Region.objects.count(),
        Hall.objects.count(),
        Department.objects.count(),
        AuditEntry.objects.count(),
    )


def test_loading_twice_creates_nothing_and_audits_nothing():
    before = counts()
    assert before[:3] == (4283, 4283, 1805)  # with the 2 bodies the 2018 reform set up
    regions = loading.load_regions()
    halls = loading.create_halls()
    departments = loading.load_departments()
    assert regions.as_dict() == {"created": {}, "updated": {}}
    assert halls.as_dict() == {"created": {}, "updated": {}}
    assert departments.as_dict() == {"created": {}, "updated": {}}
    assert counts() == before


def test_management_command_is_idempotent(capsys):
    call_command("load_reference_data")
    assert Group.objects.filter(name="大厅管理员").exists()
    capsys.readouterr()
    before = counts()
    call_command("load_reference_data")
    assert "行政区划 新增0 更新0；大厅 新增0；部门 新增0" in capsys.readouterr().out
    assert counts() == before


def test_a_new_region_gets_its_hall_and_one_summary_entry_each():
    rows = loading.read_regions()
    rows.append({"code": "440703999", "name": "测试街道", "level": "town", "parent": "440703"})
    rows = [{**row, "name": "蓬江区（新）"} if row["code"] == "440703" else row for row in rows]
    last = AuditEntry.objects.order_by("sequence").last().sequence

    report = loading.load_regions(rows)
    assert report.as_dict() == {"created": {"town": 1}, "updated": {"county": 1}}
    assert Region.objects.get(code="440703").name == "蓬江区（新）"
    halls = loading.create_halls()
    assert halls.as_dict()["created"] == {"station": 1}
    assert Hall.objects.get(region_id="440703999").name == "测试街道网上办事站"

    entries = AuditEntry.objects.filter(sequence__gt=last).order_by("sequence")
    assert [(e.action, e.object_type) for e in entries] == [
        ("import", "regions.region"),
        ("import", "regions.hall"),
    ]
    assert entries[0].after == {"created": {"town": 1}, "updated": {"county": 1}}

    # Loading the same rows again changes nothing.
    assert loading.load_regions(rows).as_dict() == {"created": {}, "updated": {}}
    assert AuditEntry.objects.filter(sequence__gt=last).count() == 2


def test_departments_are_generated_for_a_new_town_of_a_seed_city():
    Region.objects.create(code="440703999", name="测试镇", level="town", parent_id="440703")
    report = loading.load_departments()
    assert report.as_dict()["created"] == {"town": 1}
    department = Department.objects.get(region_id="440703999")
    assert (department.name, department.kind) == ("测试镇人民政府", "township")
    department.full_clean()  # its generated credit code passes the model's own rule
    assert loading.load_departments().as_dict()["created"] == {}


def test_a_reform_marks_the_old_body_and_sets_up_its_successor_once():
    reform = [
        (
            "440700",
            "江门市民政局",
            "2030-01-01",
            "江门市民政和社会事务局",
            "市民政社务局",
            "government",
        )
    ]
    old = Department.objects.get(region_id="440700", name="江门市民政局")
    report = loading.apply_reforms(reform)
    assert report.as_dict() == {"created": {"city": 1}, "updated": {"city": 1}}
    old.refresh_from_db()
    assert str(old.abolished_on) == "2030-01-01" and old.successor.name == "江门市民政和社会事务局"
    # Not yet: the old body is still current until that date, the new one is not yet.
    assert old.is_current() and not old.successor.is_current()
    from datetime import date

    assert not old.is_current(date(2030, 1, 1)) and old.successor.is_current(date(2030, 1, 1))
    assert loading.apply_reforms(reform).as_dict() == {"created": {}, "updated": {}}
