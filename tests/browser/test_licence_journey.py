"""Journey (issue #6): a case of an issuing item concludes; the holder finds the licence,
downloads the PDF that pdfsig accepts, and OpenSSL verifies the canonical signature with
the key the hall publishes. Then the licence stands in for a material of another
department's item: no upload, consent, and the holder sees who read it.
"""

import base64
import json
import re
import subprocess

import pytest

from govhall.cases.models import Case
from govhall.cases.tests import factories as cf
from govhall.licences.models import LicenceUse
from govhall.licences.services import signing
from govhall.licences.tests import factories as lf
from govhall.licences.tests import openssl
from govhall.regions.models import Post
from tests.browser.case_helpers import (
    blocking_violations,
    citizen_page,
    journey_settings,  # noqa: F401  (fixture)
    staff_page,
    summary_value,
    text_of,
)
from tests.browser.helpers import click_and_follow, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("journey_settings")]


def test_licence_from_conclusion_to_pdf_openssl_and_use(new_page, site, tmp_path):
    civil = cf.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    citizen = cf.applicant(name="周晓燕")
    case, _clerk = lf.concluded_case(civil, citizen)
    licence = case.licences.get()
    version = licence.current
    violations = []

    # The holder finds the licence under 我的证照 and downloads its PDF.
    me = citizen_page(new_page, site, citizen)
    me.goto("/my/licences/")
    row = me.locator("table tbody tr", has_text=licence.number)
    assert "最低生活保障证" in text_of(row) and civil.name in text_of(row)
    violations += blocking_violations(me, "我的证照")
    row.get_by_role("link", name="最低生活保障证").click()
    me.wait_for_url(f"**/my/licences/{licence.pk}/")
    assert summary_value(me, "签发部门") == civil.name
    assert citizen.person.id_number not in me.content()
    assert version.identifier in text_of(me.locator("main"))
    assert me.locator(".licence-qr svg").count() == 1
    violations += blocking_violations(me, "证照详情")
    with me.expect_download() as download:
        me.get_by_role("link", name=re.compile("下载证照")).click()
    pdf = tmp_path / "licence.pdf"
    download.value.save_as(pdf)
    checked = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in checked.stdout, checked.stdout

    # Anyone verifies the canonical data with the published issuer key and OpenSSL.
    keys = me.request.get(f"{site}/api/v1/licences/issuers").json()
    keys = keys["keys"]
    published = next(k for k in keys if k["key_id"] == version.key.key_id)
    assert published["public_key_pem"] == signing.public_key_pem(version.key.sm2_public_key)
    out = openssl.pkeyutl_verify(
        tmp_path,
        published["public_key_pem"],
        version.canonical.encode("utf-8"),
        base64.b64decode(version.signature),
    )
    assert "Signature Verified Successfully" in out, out
    assert json.loads(version.canonical)["number"] == licence.number

    # The public verification page says it is valid, with the holder masked.
    me.goto(f"/licences/verify/?id={version.identifier}")
    main = text_of(me.locator("main"))
    assert "有效" in main and "周*燕" in main and citizen.person.id_number not in main

    # Another department's item asks for this licence: the citizen uploads nothing for it.
    police = cf.department("江门市公安局")
    item = cf.item(
        police,
        name="低保对象户籍证明",
        materials=[
            {
                "code": "M01",
                "name": "最低生活保障证",
                "required": True,
                "source": "licence",
                "media": "electronic",
                "licence_type_code": lf.TYPE_CODE,
            },
        ],
        form_fields=[],
    )
    me.goto(item.get_absolute_url())
    me.get_by_role("link", name="在线申办").click()
    me.get_by_role("button", name="开始申办").click()
    me.wait_for_url(re.compile(r"/applications/[0-9a-f-]{36}/$"))
    me.get_by_label("联系电话").fill("13800138000")
    me.get_by_role("radio", name="电子送达").check()
    me.get_by_role("button", name="保存并继续").click()
    me.wait_for_url(re.compile(r"/materials/$"))
    assert "已关联您持有的电子证照“最低生活保障证”，无需上传" in text_of(me.locator("main"))
    click_and_follow(me, me.get_by_role("link", name="继续：核对并提交"))
    assert summary_value(me, "最低生活保障证").startswith("使用您的电子证照“最低生活保障证”")
    me.get_by_role("button", name="确认并提交申请").click()
    assert "请勾选“同意调用上述电子证照”" in text_of(me.locator(".error-summary"))
    me.get_by_label(re.compile("我同意受理部门在办理本申请时调用上述电子证照")).check()
    me.get_by_role("button", name="确认并提交申请").click()
    me.wait_for_url(re.compile(r"/done/$"))
    new_case = Case.objects.get(item=item)
    assert not new_case.application.materials.filter(file__isnull=False).exists()

    # The police clerk sees the licence data on the case page (not a scan).
    clerk = cf.staff(Post.CLERK, police)
    desk = staff_page(new_page, clerk)
    desk.goto(f"/workbench/cases/{new_case.number}/")
    card = desk.locator(".licence-card")
    assert licence.number in text_of(card) and "家庭人口 3" in text_of(card)

    # The holder sees which department read it, and when.
    me.goto("/my/licences/uses/")
    rows = text_of(me.locator("main table"))
    assert police.name in rows and new_case.number in rows
    read = LicenceUse.objects.get(kind="read", case=new_case)
    assert read.at.astimezone().strftime("%Y-%m-%d %H:%M") in rows
    violations += blocking_violations(me, "用证记录")
    assert not violations, describe_violations(violations)
