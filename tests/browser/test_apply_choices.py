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
    pdf.write_bytes(b"%PDF-1.4\n% scan\n")

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
