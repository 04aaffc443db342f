"""Journeys (issue #15): the applicant's choices while applying — declining an e-licence
and uploading instead, the materials locker offering only files of the slot's kind, the
ways of delivery the guide lists, a licence already held, and numbers shown as typed.
"""

import re

import pytest

from govhall.cases.models import Case
from govhall.cases.tests import factories as cf
from govhall.licences.tests import factories as lf
from tests.browser.case_helpers import (
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    summary_value,
    text_of,
)
from tests.browser.helpers import click_and_follow

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]

LICENCE_MATERIAL = {
    "code": "M01",
    "name": "最低生活保障证",
    "required": True,
    "source": "licence",
    "media": "electronic",
    "licence_type_code": lf.TYPE_CODE,
}


def _start(me, item) -> None:
    """From the item's guide to the application form, then contact and delivery."""
    me.goto(item.get_absolute_url())
    click_and_follow(me, me.get_by_role("link", name="在线申办"))
    me.get_by_role("button", name="开始申办").click()
    me.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))


def test_declining_a_held_licence_uploads_the_material_instead(new_page, site, tmp_path):
    civil = cf.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    citizen = cf.applicant(name="黄晓玲")
    lf.concluded_case(civil, citizen)
    police = cf.department("江门市公安局")
    item = cf.item(police, name="低保对象户籍证明", materials=[LICENCE_MATERIAL], form_fields=[])
    pdf = tmp_path / "低保证扫描件.pdf"
    pdf.write_bytes(cf.pdf_bytes())

    me = citizen_page(new_page, site, citizen)
    _start(me, item)
    me.get_by_label("联系电话").fill("13800138000")
    me.get_by_role("radio", name="电子送达").check()
    click_and_follow(me, me.get_by_role("button", name="保存并继续"))
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    assert summary_value(me, "最低生活保障证").startswith("使用您的电子证照")

    # Declining at the check page: a link leads to the material's upload on the materials page.
    click_and_follow(me, me.get_by_role("link", name="改为上传 最低生活保障证"))
    assert me.url.endswith("/materials/#need-1")
    region = me.get_by_role("region", name="最低生活保障证", exact=True)
    assert "已关联您持有的电子证照" in text_of(region)
    me.get_by_label("改为上传：最低生活保障证").set_input_files(str(pdf))
    click_and_follow(me, me.get_by_role("button", name=re.compile(r"^上传\s*：最低生活保障证$")))
    region = me.get_by_role("region", name="最低生活保障证", exact=True)
    assert "已提供：低保证扫描件.pdf" in text_of(region)

    # The check page now shows the upload and asks for no consent; submission succeeds.
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    assert summary_value(me, "最低生活保障证").startswith("低保证扫描件.pdf")
    assert me.locator("#id_licence_consent").count() == 0
    click_and_follow(me, me.get_by_role("button", name="确认并提交申请"))
    assert re.search(r"/done/$", me.url)
    material = Case.objects.get(item=item).application.materials.get()
    assert material.file is not None and material.file.name == "低保证扫描件.pdf"
    assert material.source != "licence"


def _stored(identity, name: str, title: str, kind: str, body: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govhall.cases.services import applications

    body = body if body is not None else cf.pdf_bytes()
    upload = SimpleUploadedFile(name, body, content_type="application/pdf")
    return applications.store_file(identity.user, upload, title=title, kind=kind)


def test_locker_offers_only_files_of_the_slots_kind_and_preselects_none(new_page, site):
    item = cf.item(cf.department("江门市民政局"), name="临时救助申请")
    citizen = cf.applicant(name="陈晓东")
    _stored(citizen, "收入声明.pdf", "家庭收入和财产状况声明", "N:家庭收入和财产状况声明")
    _stored(citizen, "申请书-旧.pdf", "申请书", "N:申请书")
    _stored(citizen, "申请书-旧.pdf", "申请书", "N:申请书")  # the same file again
    newest = _stored(citizen, "申请书-新.pdf", "申请书", "N:申请书", cf.pdf_bytes(2))

    me = citizen_page(new_page, site, citizen)
    _start(me, item)
    me.get_by_label("家庭人口").fill("2")
    me.get_by_role("radio", name="否").check()
    me.get_by_label("联系电话").fill("13800138000")
    me.get_by_role("radio", name="电子送达").check()
    click_and_follow(me, me.get_by_role("button", name="保存并继续"))

    choice = me.get_by_label("或从材料库选择以前上传的“申请书”")
    options = [text_of(o) for o in choice.locator("option").all()]
    assert options[0] == "请选择文件" and len(options) == 3, options
    assert all("收入声明" not in o for o in options)
    assert options[1].startswith("申请书-新.pdf（") and "上传" in options[1]
    assert options[1].endswith("字节）"), options[1]
    assert choice.input_value() == ""
    # No file of the contract's kind is stored: it offers an upload only.
    contract = me.get_by_role("region", name="房屋租赁合同", exact=True)
    assert contract.locator("select").count() == 0

    # Using the chosen file without choosing one is refused, naming the material.
    click_and_follow(me, me.get_by_role("button", name=re.compile(r"^使用所选文件\s*：申请书$")))
    assert "请从材料库中选择“申请书”的文件。" in text_of(me.locator(".error-summary"))
    choice = me.get_by_label("或从材料库选择以前上传的“申请书”")
    choice.select_option(str(newest.public_id))
    click_and_follow(me, me.get_by_role("button", name=re.compile(r"^使用所选文件\s*：申请书$")))
    assert "已提供：申请书-新.pdf" in text_of(me.get_by_role("region", name="申请书", exact=True))
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    shown = summary_value(me, "申请书")
    assert shown.startswith("申请书-新.pdf") and "材料种类：申请书" in shown


def test_an_item_issuing_an_e_licence_offers_electronic_delivery_first(new_page, site):
    civil = cf.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    item = lf.issuing_item(civil, name="特困人员认定", delivery=["pickup"])
    citizen = cf.applicant(name="梁秀华")

    me = citizen_page(new_page, site, citizen)
    me.goto(item.get_absolute_url())
    assert "电子送达、窗口领取" in text_of(me.get_by_role("region", name="办理结果与送达"))
    _start(me, item)
    ways = me.locator("fieldset", has_text="结果送达方式").get_by_role("radio")
    assert [w.get_attribute("value") for w in ways.all()] == ["electronic", "pickup"]
    assert me.get_by_role("radio", name="电子送达").is_visible()


def test_a_held_valid_result_licence_is_said_before_starting(new_page, site):
    civil = cf.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    citizen = cf.applicant(name="郭美玲")
    single = lf.issuing_item(civil, name="城乡居民最低生活保障申请", repeat_while_held=False)
    case, _clerk = lf.concluded_case(civil, citizen, item=single)
    licence = case.licences.get()
    again = lf.issuing_item(civil, name="特困人员认定")  # the catalogue allows it (default)

    me = citizen_page(new_page, site, citizen)
    me.goto(case.item.get_absolute_url())
    click_and_follow(me, me.get_by_role("link", name="在线申办"))
    assert text_of(me.locator("h1")) == "暂时不能在线申办"
    alert = text_of(me.get_by_role("alert"))
    assert f"您已持有有效的“最低生活保障证”（证照编号{licence.number}）" in alert
    assert me.get_by_role("button", name="开始申办").count() == 0
    assert me.get_by_role("link", name="查看我的证照").count() == 1

    # The catalogue lets this other item be applied for again: it says so, and starts.
    me.goto(again.get_absolute_url())
    click_and_follow(me, me.get_by_role("link", name="在线申办"))
    assert "本事项允许持证期间再次申请" in text_of(me.get_by_role("note").first)
    me.get_by_role("button", name="开始申办").click()
    me.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))


INCOME = [
    {"name": "income", "label": "家庭月收入（元）", "type": "decimal", "required": True, "min": 0},
    {"name": "members", "label": "共同生活人数", "type": "integer", "required": True, "max": 20},
]


def test_numbers_read_as_typed_and_range_hints_name_their_ends(new_page, site):
    item = cf.item(cf.department("江门市民政局"), name="临时困难补助", form_fields=INCOME)
    citizen = cf.applicant(name="冯丽萍")

    me = citizen_page(new_page, site, citizen)
    _start(me, item)
    hints = text_of(me.locator("form.apply-form"))
    assert "不小于0" in hints and "不大于20" in hints and "～" not in hints
    me.get_by_label("家庭月收入（元）").fill("1500")
    me.get_by_label("共同生活人数").fill("3")
    me.get_by_label("联系电话").fill("13800138000")
    me.get_by_role("radio", name="电子送达").check()
    click_and_follow(me, me.get_by_role("button", name="保存并继续"))
    me.goto(me.url.replace("/materials/", "/"))
    assert me.get_by_label("家庭月收入（元）").input_value() == "1500"
    me.goto(me.url + "check/")
    assert summary_value(me, "家庭月收入（元）") == "1500"
