"""Journey (issue #15 point 6): at the one-door counter a valid e-licence the person holds
stands for its material, as online, once the clerk records the person's consent."""

import re

import pytest

from govhall.cases.models import Case, MaterialSource
from govhall.cases.tests import factories as f
from govhall.licences.models import LicenceUse
from govhall.licences.tests import factories as lf
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    journey_settings,  # noqa: F401  (fixture)
    page_messages,
    staff_page,
    text_of,
)
from tests.browser.helpers import click_and_follow

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]


def test_counter_offers_a_held_e_licence_with_consent_recorded(new_page, site):
    civil = f.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    citizen = f.applicant(name="区婉仪")
    lf.concluded_case(civil, citizen)
    police = f.department("江门市公安局")
    item = f.item(
        police,
        name="低保对象户籍证明",
        form_fields=[],
        materials=[
            {
                "code": "M01",
                "name": "最低生活保障证",
                "required": True,
                "source": "licence",
                "media": "both",
                "licence_type_code": lf.TYPE_CODE,
            }
        ],
    )
    window = f.staff(Post.CLERK, f.department("江门市行政服务中心"))

    desk = staff_page(new_page, window)
    desk.goto("/workbench/counter/")
    desk.get_by_label("身份证号码").first.fill(citizen.person.id_number)
    click_and_follow(desk, desk.get_by_role("button", name="查找", exact=True))
    desk.goto(f"/workbench/counter/items/{item.implementation_code}/")
    offered = text_of(desk.locator(".material-row", has_text="最低生活保障证"))
    assert "办事人持有有效电子证照“最低生活保障证”" in offered
    desk.get_by_label("联系电话（必填）").fill("13800138002")

    # Neither a scan, nor a paper check, nor consent: refused, naming the way out.
    click_and_follow(desk, desk.get_by_role("button", name="提交收件"))
    assert "请确认办事人同意调用电子证照“最低生活保障证”" in text_of(desk.locator("main"))
    assert not Case.objects.filter(item=item).exists()

    desk.get_by_label("办事人已当面同意调用上述电子证照，代替提交纸质材料").check()
    desk.get_by_role("button", name="提交收件").click()
    desk.wait_for_url(re.compile(r"/workbench/counter/taken/[0-9A-Za-z-]+/$"))
    case = Case.objects.get(item=item)
    assert f"已收件，办件编号{case.number}。" in page_messages(desk)
    material = case.application.materials.get()
    assert material.source == MaterialSource.LICENCE and material.file is None
    use = LicenceUse.objects.get(kind=LicenceUse.Kind.CONSENT, case=case)
    assert use.purpose.startswith("窗口申请“低保对象户籍证明”时办事人当面同意使用")
