"""The licence-type catalogue: 发证清单 and 用证清单 from the published catalogue, the
public licence-type API, and the type editor's rules (service and workbench page)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from govhall.cases.tests import factories as cf
from govhall.core.models import AuditEntry
from govhall.regions.models import Post, Region

from ..models import LicenceType
from ..services import catalogue, issuing
from . import factories as f
from .test_public_pages import LICENCE_MATERIAL

pytestmark = pytest.mark.django_db


def body_code() -> str:
    """A real credit code (the reference data's 广东省民政厅) for types made by the editor."""
    return cf.department("广东省民政厅", "440000").credit_code


@pytest.fixture
def dept():
    return cf.department("江门市民政局")


@pytest.fixture
def catalogue_items(dept):
    licence_type = f.licence_type(issuers=[dept])
    issuing_item = f.issuing_item(dept)
    housing = cf.department("江门市住房和城乡建设局")
    using_item = cf.item(
        housing, name="公共租赁住房申请", materials=[*cf.MATERIALS, LICENCE_MATERIAL]
    )
    unrelated = cf.item(housing, name="住房公积金提取")
    chaozhou = cf.item(
        cf.department("潮州市民政局", cf.CHAOZHOU),
        result_licence_type=f.TYPE_CODE,
        result_name="最低生活保障证",
    )
    return licence_type, issuing_item, using_item, unrelated, chaozhou


def test_issuing_and_using_lists_come_from_the_current_versions(catalogue_items):
    licence_type, issuing_item, using_item, unrelated, chaozhou = catalogue_items
    assert set(catalogue.issuing_items(licence_type)) == {issuing_item, chaozhou}
    assert list(catalogue.using_items(licence_type)) == [using_item]
    jiangmen = Region.objects.get(code=cf.JIANGMEN)
    lists = catalogue.lists_of(licence_type, jiangmen)
    assert lists.issuing == [issuing_item] and lists.issuing_count == 1
    assert [row.item for row in lists.using] == [using_item]
    assert lists.using[0].materials == ("低保证明",)
    assert unrelated not in catalogue.issuing_items(licence_type)


def test_the_licence_type_api_lists_searches_and_details(catalogue_items):
    _type, issuing_item, using_item, _unrelated, chaozhou = catalogue_items
    other_code = f"{f.DEFINING_BODY_CODE}002"
    f.licence_type(other_code, "特困人员救助供养证", holder_kind="person")
    client = Client()
    rows = client.get("/api/v1/licence-types/").json()
    assert rows["count"] == 2
    found = client.get("/api/v1/licence-types/", {"q": "特困"}).json()["results"]
    assert [r["code"] for r in found] == [other_code]
    assert found[0]["url"] == f"/api/v1/licence-types/{other_code}/"

    detail = client.get(f"/api/v1/licence-types/{f.TYPE_CODE}/").json()
    assert detail["name"] == "最低生活保障证" and detail["validity_years"] == 3
    assert detail["fields"] == f.FIELDS
    dept = cf.department("江门市民政局")
    assert detail["issuing_departments"] == [{"code": dept.credit_code, "name": dept.name}]
    assert {i["implementation_code"] for i in detail["issuing_items"]} == {
        issuing_item.implementation_code,
        chaozhou.implementation_code,
    }
    assert detail["using_items"][0]["materials"] == ["低保证明"]
    assert detail["using_items"][0]["guide_url"] == f"/items/{using_item.implementation_code}/"
    narrowed = client.get(f"/api/v1/licence-types/{f.TYPE_CODE}/", {"region": cf.CHAOZHOU}).json()
    assert narrowed["issuing_count"] == 1 and narrowed["using_count"] == 0

    missing = client.get("/api/v1/licence-types/11440000006941385C999/")
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "code"
    bad = client.get(f"/api/v1/licence-types/{f.TYPE_CODE}/", {"region": "999999"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "region"


# --- the type editor ---------------------------------------------------------------------


def values(**overrides):
    data = {
        "code": f"{body_code()}002",
        "name": "特困人员救助供养证",
        "defining_body": "广东省民政厅",
        "defining_body_code": body_code(),
        "holder_kind": "person",
        "fields": [{"name": "level", "label": "供养等级", "type": "text", "required": True}],
        "validity_years": "5",
        "number_prefix": "粤特困",
        "template": "",
        "issuing_departments": [cf.department("江门市民政局").credit_code],
        "is_active": True,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"name": "x"}, "JSON数组"),
        ([{"name": "Level", "label": "等级", "type": "text"}], "小写字母"),
        ([{"name": "1st", "label": "等级", "type": "text"}], "小写字母"),
        ([{"name": "level", "label": " ", "type": "text"}], "label"),
        ([{"name": "level", "label": "等级", "type": "integer"}], "text（文本）、date（日期）"),
        ([{"name": "level", "label": "等级", "type": "text", "required": "yes"}], "true或false"),
        (
            [{"name": "a", "label": "甲", "type": "text"}, {"name": "a", "label": "乙"}],
            "第2项的name“a”与前面的项重复",
        ),
        ([{"name": "a", "label": "甲", "colour": "red"}], "不支持的键：colour"),
        (["a"], "第1项须为对象"),
    ],
)
def test_fields_are_checked_row_by_row(fields, words):
    with pytest.raises(ValidationError) as raised:
        catalogue.clean_fields(fields)
    (message,) = raised.value.message_dict["fields"]
    assert words in message


def test_clean_fields_fills_defaults():
    assert catalogue.clean_fields([{"name": "a_1", "label": " 甲 "}]) == [
        {"name": "a_1", "label": "甲", "type": "text", "required": False}
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": ""}, "name", "“证照类型名称”为必填项"),
        ({"code": "123"}, "code", "21位"),
        ({"code": "11440000006941385D002"}, "code", "前18位"),
        ({"defining_body_code": "123"}, "defining_body_code", "定义机构统一社会信用代码"),
        ({"holder_kind": "robot"}, "holder_kind", "持证主体类别"),
        ({"validity_years": "101"}, "validity_years", "0–100"),
        ({"validity_years": "三"}, "validity_years", "0–100"),
        ({"template": "{% if %}"}, "template", "语法错误"),
        ({"issuing_departments": ["91440000000000000X"]}, "issuing_departments", "不存在"),
    ],
)
def test_type_rules_name_the_field(dept, overrides, field, words):
    admin = cf.staff(Post.HALL_ADMIN, dept)
    with pytest.raises(ValidationError) as raised:
        catalogue.save_type(admin, values(**overrides))
    assert words in raised.value.message_dict[field][0]


def test_type_codes_are_unique(dept):
    admin = cf.staff(Post.HALL_ADMIN, dept)
    catalogue.save_type(admin, values())
    with pytest.raises(ValidationError) as raised:
        catalogue.save_type(admin, values(name="另一个"))
    assert raised.value.message_dict == {"code": [f"证照类型代码“{body_code()}002”已存在。"]}


def test_only_hall_admins_and_superusers_edit_types_and_each_save_is_audited(dept):
    approver = cf.staff(Post.APPROVER, dept)
    with pytest.raises(ValidationError, match="大厅管理员"):
        catalogue.save_type(approver, values())
    admin = cf.staff(Post.HALL_ADMIN, dept)
    created = catalogue.save_type(admin, values())
    assert created.validity_years == 5 and list(created.issuing_departments.all()) == [dept]
    updated = catalogue.save_type(admin, values(name="特困供养证"), created)
    assert updated.name == "特困供养证"
    entries = AuditEntry.objects.filter(
        object_type="licences.licencetype", object_id=str(created.pk)
    )
    assert entries.count() == 2
    assert entries.order_by("sequence").last().after == {"name": "特困供养证"}


def test_code_and_holder_kind_are_locked_once_licences_exist(dept):
    admin = cf.staff(Post.HALL_ADMIN, dept)
    licence_type = catalogue.save_type(admin, values())
    issuing.issue(
        licence_type, dept, issuing.Holder.of_person(cf.applicant().person), data={"level": "一级"}
    )
    with pytest.raises(ValidationError, match="不能修改“持证主体类别”"):
        catalogue.save_type(admin, values(holder_kind="company"), licence_type)
    with pytest.raises(ValidationError, match="不能修改“证照类型代码”"):
        catalogue.save_type(admin, values(code=f"{body_code()}003"), licence_type)
    assert catalogue.save_type(admin, values(name="特困供养证"), licence_type).name == "特困供养证"


def form_data(**overrides):
    data = values()
    data["fields_json"] = json.dumps(data.pop("fields"), ensure_ascii=False)
    data["issuing_departments"] = "\n".join(data["issuing_departments"])
    data["is_active"] = "on"
    data.update(overrides)
    return data


def test_the_workbench_type_editor_saves_and_shows_errors_next_to_fields(dept):
    client = Client()
    client.force_login(cf.staff(Post.HALL_ADMIN, dept))
    response = client.post("/workbench/licences/types/new/", form_data())
    created = LicenceType.objects.get(code=f"{body_code()}002")
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/licences/types/{created.pk}/"
    assert created.fields[0]["label"] == "供养等级"

    url = f"/workbench/licences/types/{created.pk}/"
    page = client.get(url).content.decode()
    assert "供养等级" in page and dept.credit_code in page

    response = client.post(url, form_data(fields_json='[{"name": "Level"'))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_fields_json_error"' in html and "不是有效的JSON" in html
    response = client.post(
        url, form_data(fields_json='[{"name": "level", "label": "等级", "type": "money"}]')
    )
    assert response.status_code == 400
    assert "type须为text（文本）" in response.content.decode()
    assert 'href="#id_fields_json"' in response.content.decode()
    response = client.post(url, form_data(code="x"))
    assert response.status_code == 400 and 'id="id_code_error"' in response.content.decode()


def test_staff_without_a_hall_admin_post_only_read_types(dept):
    f.licence_type()
    client = Client()
    client.force_login(cf.staff(Post.APPROVER, dept))
    licence_type = LicenceType.objects.get(code=f.TYPE_CODE)
    listing = client.get("/workbench/licences/types/").content.decode()
    assert "最低生活保障证" in listing and "新增证照类型" not in listing
    page = client.get(f"/workbench/licences/types/{licence_type.pk}/")
    assert (
        page.status_code == 200 and '<form method="post" novalidate>' not in page.content.decode()
    )
    assert (
        client.post(f"/workbench/licences/types/{licence_type.pk}/", form_data()).status_code == 403
    )
    assert client.get("/workbench/licences/types/new/").status_code == 403
    assert not LicenceType.objects.filter(code=f"{body_code()}002").exists()
