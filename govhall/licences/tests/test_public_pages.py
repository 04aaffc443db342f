"""Public pages: verification (form, scanned QR, links), published keys, the licence-type
catalogue, and the catalogue guide's links to it."""

import pytest
from django.test import Client

from govhall.cases.tests import factories as cf

from ..models import LicenceUse
from ..services import identifiers, issuing, signing, verification
from . import factories as f
from .test_issuing import person_licence

pytestmark = pytest.mark.django_db

LICENCE_MATERIAL = {
    "code": "M09",
    "name": "低保证明",
    "required": True,
    "source": "licence",
    "media": "electronic",
    "licence_type_code": f.TYPE_CODE,
    "licence_type_name": "最低生活保障证",
}


@pytest.fixture
def dept():
    return cf.department("江门市民政局")


def test_the_empty_verification_page_offers_one_labelled_field():
    response = Client().get("/licences/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_q">证照标识或二维码内容' in html
    assert 'action="/licences/verify/"' in html and 'method="get"' in html


def test_a_scanned_qr_shows_the_answer_with_words_and_the_signature(dept, settings):
    settings.GOVHALL_PUBLIC_URL = "http://testserver"
    identity = cf.applicant(name="李小红")
    version = person_licence(dept, identity).current
    url = verification.qr_text(version).removeprefix("http://testserver")
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "verdict-ok" in html and "核验结果：有效" in html and "该证照真实有效" in html
    assert "数字签名验证通过" in html
    assert "李*红" in html and identity.person.masked_id_number in html
    assert identity.person.id_number not in html and "李小红" not in html
    assert version.identifier in html and "2028-12-31" in html
    assert not LicenceUse.objects.exists()


def test_revoked_superseded_and_unknown_are_said_in_words(dept):
    approver = cf.staff("approver", dept)
    licence = person_licence(dept)
    first = licence.current
    second = issuing.annotate(licence, approver, text="年检合格", reason="年检")
    client = Client()
    html = client.get("/licences/verify/", {"id": first.identifier}).content.decode()
    assert "verdict-warn" in html and "已被新版本替代" in html and second.identifier in html

    issuing.revoke(licence, approver, reason="骗取低保")
    html = client.get("/licences/verify/", {"q": second.identifier}).content.decode()
    assert "verdict-bad" in html and "核验结果：已注销" in html and "注销原因：骗取低保" in html

    parsed = identifiers.parse(first.identifier)
    absent = identifiers.build(parsed.type_code, parsed.issuer_code, "77", 1)
    html = client.get("/licences/verify/", {"q": absent}).content.decode()
    assert "核验结果：查无此证" in html and "请勿采信" in html and "数字签名验证未通过" in html


def test_a_pasted_verification_url_works_and_garbage_is_refused_naming_the_field(dept):
    version = person_licence(dept).current
    client = Client()
    pasted = f"https://example.org/licences/verify/?p={verification.qr_payload(version)}"
    assert "核验结果：有效" in client.get("/licences/verify/", {"q": pasted}).content.decode()

    response = client.get("/licences/verify/", {"q": "hello"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请更正以下问题" in html
    assert "“证照标识或二维码内容”不正确：证照标识须以 1.2.156.3005.2. 开头。" in html
    assert 'href="#id_q"' in html


def test_the_page_shares_the_api_throttle(dept, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "licence_verify": "1/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    version = person_licence(dept).current
    client = Client()
    assert client.get("/licences/verify/", {"id": version.identifier}).status_code == 200
    response = client.get("/licences/verify/", {"id": version.identifier})
    assert response.status_code == 429 and "核验过于频繁" in response.content.decode()


def test_the_issuers_page_lists_keys_and_links_to_the_json(dept):
    old = signing.active_key(dept)
    new = signing.rotate(dept, reason="轮换")
    html = Client().get("/licences/issuers/").content.decode()
    assert dept.name in html and old.key_id in html and new.key_id in html
    assert "已停用" in html and "在用" in html and "平台根密钥" in html
    assert 'href="/api/v1/licences/issuers"' in html
    assert 'href="/api/v1/licences/revocations"' in html
    assert "BEGIN PUBLIC KEY" in html


def test_the_type_pages_list_fields_and_both_catalogue_lists(dept):
    f.licence_type(issuers=[dept])
    issuing_item = f.issuing_item(dept)
    using_item = cf.item(
        cf.department("江门市住房和城乡建设局"),
        name="公共租赁住房申请",
        materials=[*cf.MATERIALS, LICENCE_MATERIAL],
    )
    client = Client()
    listing = client.get("/licences/types/", {"q": "生活保障"}).content.decode()
    assert f"/licences/types/{f.TYPE_CODE}/" in listing and "最低生活保障证" in listing
    assert "最低生活保障证" not in client.get("/licences/types/", {"q": "驾驶"}).content.decode()

    html = client.get(f"/licences/types/{f.TYPE_CODE}/").content.decode()
    assert "广东省民政厅" in html and "家庭人口" in html and "3年" in html
    assert "发证清单（1项）" in html and "用证清单（1项）" in html
    assert f'href="/items/{issuing_item.implementation_code}/"' in html
    assert f'href="/items/{using_item.implementation_code}/"' in html
    assert "代替“低保证明”" in html
    assert client.get("/licences/types/11440000006941385C999/").status_code == 404


def test_the_guide_links_the_result_licence_and_marks_licence_materials(dept):
    f.licence_type(issuers=[dept])
    issuing_item = f.issuing_item(dept)
    html = Client().get(f"/items/{issuing_item.implementation_code}/").content.decode()
    assert f'href="/licences/types/{f.TYPE_CODE}/"' in html

    using_item = cf.item(
        cf.department("江门市住房和城乡建设局"),
        name="公共租赁住房申请",
        materials=[*cf.MATERIALS, LICENCE_MATERIAL],
    )
    html = Client().get(f"/items/{using_item.implementation_code}/").content.decode()
    assert "可使用电子证照，无需提交" in html
