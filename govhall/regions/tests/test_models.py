"""Validation rules of regions, halls and departments, and the reference data they hold."""

import pytest
from django.core.exceptions import ValidationError

from govhall.core.identifiers import validate_credit_code
from govhall.regions.models import Department, Hall, Level, Region
from govhall.regions.services.loading import credit_code_for

pytestmark = pytest.mark.django_db


def messages_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def region(code: str) -> Region:
    return Region.objects.get(code=code)


# --- Region.clean -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("440799", Level.COUNTY, "440700"),  # county under city
        ("440703999", Level.TOWN, "440703"),  # town under county
        ("441900999", Level.TOWN, "441900"),  # Dongguan: town directly under the city
        ("440703002999", Level.VILLAGE, "440703002"),
    ],
)
def test_well_formed_regions_pass(code, level, parent):
    Region(code=code, name="新区划", level=level, parent=region(parent)).full_clean()


@pytest.mark.parametrize(
    ("code", "level", "parent", "field", "fragment"),
    [
        ("44079", Level.COUNTY, "440700", "code", "县级区划代码须为6位数字"),
        ("4407031", Level.TOWN, "440703", "code", "镇街区划代码须为9位数字"),
        ("44070300A", Level.TOWN, "440703", "code", "9位数字"),
        ("440703001", Level.VILLAGE, "440703", "code", "村居区划代码须为12位数字"),
        (
            "440799",
            Level.COUNTY,
            "440703",
            "parent",
            "上级区划的层级（县级）必须高于本区划（县级）",
        ),
        ("440703002", Level.TOWN, "440703005", "parent", "必须高于本区划"),
        ("445199", Level.COUNTY, "440700", "code", "前4位“4407”开头"),
        ("440704999", Level.TOWN, "440703", "code", "前6位“440703”开头"),
        ("440799", Level.CITY, "440000", "code", "市级区划代码须以00结尾"),
        ("440799", Level.COUNTY, None, "parent", "必须指定上级区划"),
        ("450000", Level.PROVINCE, "440000", "parent", "省级区划不能有上级区划"),
    ],
)
def test_region_rules(code, level, parent, field, fragment):
    candidate = Region(
        code=code, name="新区划", level=level, parent=region(parent) if parent else None
    )
    with pytest.raises(ValidationError) as excinfo:
        candidate.full_clean()
    assert any(fragment in m for m in messages_of(excinfo)[field]), messages_of(excinfo)


def test_unknown_level_is_a_field_error_not_a_crash():
    with pytest.raises(ValidationError) as excinfo:
        Region(code="440799", name="x", level="planet", parent=region("440700")).full_clean()
    assert "level" in messages_of(excinfo)


def test_every_loaded_region_obeys_the_rules():
    regions = Region.objects.select_related("parent")
    broken = []
    for r in regions:
        try:
            r.clean()
        except ValidationError as exc:
            broken.append((r.code, exc.message_dict))
    assert broken == []
    assert regions.count() == 4283


def test_region_tree_helpers():
    village = Region.objects.filter(code__startswith="440703", level=Level.VILLAGE).first()
    assert [a.code for a in village.ancestors()] == [
        "440000",
        "440700",
        "440703",
        village.parent_id,
    ]
    jiangmen = region("440700")
    assert village.is_within(jiangmen) and not village.is_within(region("445100"))
    assert jiangmen.descendants().filter(code="440700").count() == 0
    assert (
        jiangmen.descendants().count() == Region.objects.filter(code__startswith="4407").count() - 1
    )


# --- Hall.clean -----------------------------------------------------------------------


def test_hall_kind_must_fit_its_region_level():
    hall = Hall.objects.get(region_id="440703")
    hall.kind = Hall.Kind.STATION
    with pytest.raises(ValidationError) as excinfo:
        hall.full_clean()
    assert messages_of(excinfo)["kind"] == ["县级区划的大厅类型应为“分厅”。"]


def test_every_region_has_one_hall_of_the_right_kind():
    assert Hall.objects.count() == Region.objects.count()
    for level, kind in Hall.KIND_FOR_LEVEL.items():
        wrong = Hall.objects.filter(region__level=level).exclude(kind=kind)
        assert not wrong.exists(), level
    assert Hall.objects.get(region_id="440000").name == "广东省网上办事大厅"
    assert Hall.objects.get(region_id="440700").name == "广东省网上办事大厅江门分厅"


# --- Department.clean -----------------------------------------------------------------


def test_department_with_a_valid_credit_code_is_normalised():
    jiangmen = region("440700")
    code = credit_code_for(jiangmen, "江门市测试局")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code.lower())
    department = Department(credit_code=fullwidth, name="江门市测试局", region=jiangmen)
    department.full_clean()
    assert department.credit_code == code


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1144070012345678", "应为18位，当前为16位"),
        ("11440700MA5SOSOS00", "不允许的字符"),
        ("114407000000000000", "校验"),
    ],
)
def test_department_credit_code_is_checked_with_a_chinese_message(value, fragment):
    department = Department(credit_code=value, name="江门市测试局", region=region("440700"))
    with pytest.raises(ValidationError) as excinfo:
        department.full_clean()
    assert any(fragment in m for m in messages_of(excinfo)["credit_code"]), messages_of(excinfo)


def test_department_name_is_unique_within_its_region():
    jiangmen = region("440700")
    duplicate = Department(
        credit_code=credit_code_for(jiangmen, "另一个"), name="江门市民政局", region=jiangmen
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "__all__" in messages_of(excinfo)


def test_every_generated_department_credit_code_is_valid_and_unique():
    codes = list(Department.objects.values_list("credit_code", "name"))
    assert len(codes) == 1805  # with the 2 bodies the 2018 reform set up
    invalid = [
        (name, [e.code for e in validate_credit_code(code).errors])
        for code, name in codes
        if not validate_credit_code(code).valid
    ]
    assert invalid == []
    assert len({code for code, _ in codes}) == len(codes)


def test_department_regions_cover_province_cities_counties_and_seed_towns():
    levels = set(Department.objects.values_list("region__level", flat=True))
    assert levels == {"province", "city", "county", "town"}
    assert (
        not Department.objects.filter(region__level="town")
        .exclude(region__code__startswith="4407")
        .exclude(region__code__startswith="4451")
        .exists()
    )
    assert Department.objects.get(region_id="440000", name="广东省政务服务数据管理局").level == (
        "province"
    )
