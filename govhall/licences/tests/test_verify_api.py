"""Public verification API, published issuer keys and the signed revocation list."""

import base64
import datetime
import json
import logging

import pytest
from django.test import Client

from govhall.cases.tests import factories as cf

from ..models import LicenceUse
from ..services import identifiers, issuing, publication, signing, verification
from . import factories as f
from .test_issuing import openssl_verifies, person_licence

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/licences/verify"


def post(body, **extra):
    return Client().post(VERIFY, body, content_type="application/json", **extra)


@pytest.fixture
def dept():
    return cf.department("江门市民政局")


def test_a_valid_licence_by_identifier_masks_the_holder_and_records_nothing(dept, caplog):
    identity = cf.applicant(name="张小明")
    version = person_licence(dept, identity).current
    with caplog.at_level(logging.INFO, logger="govhall.licences.verify"):
        response = post({"identifier": version.identifier.lower()})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid" and body["status_label"] == "有效"
    assert body["signature_valid"] is True
    assert body["holder"]["name"] == "张*明"
    assert identity.person.id_number not in response.content.decode()
    assert body["holder"]["code"] == identity.person.masked_id_number
    assert body["type"] == {"code": f.TYPE_CODE, "name": "最低生活保障证"}
    assert body["issuer"] == {"name": dept.name, "code": dept.credit_code}
    assert body["valid_from"] == "2026-01-01" and body["valid_until"] == "2028-12-31"
    assert body["signature"]["algorithm"] == "SM2-SM3"
    assert body["signature"]["key_id"] == version.key.key_id
    assert body["reason"] == "" and body["revocation_reason"] == ""
    # Public: nobody's reading of the licence is recorded, but the call is logged.
    assert not LicenceUse.objects.exists()
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "govhall.licences.verify"]
    assert f.TYPE_CODE in logged and logged.endswith("-> valid (signature ok)")
    assert identity.person.id_number not in logged


def test_the_qr_payload_and_the_whole_verification_url_both_verify(dept, settings):
    settings.GOVHALL_PUBLIC_URL = "https://www.gdzwfw.gov.cn"
    version = person_licence(dept).current
    for text in (verification.qr_payload(version), verification.qr_text(version)):
        body = post({"payload": text}).json()
        assert body["status"] == "valid" and body["signature_valid"] is True
        assert body["identifier"] == version.identifier


def test_revoked_expired_and_superseded_versions(dept):
    approver = cf.staff("approver", dept)
    licence = person_licence(dept)
    first = licence.current
    second = issuing.annotate(licence, approver, text="年检合格", reason="年检")

    old = post({"identifier": first.identifier}).json()
    assert old["status"] == "superseded" and old["status_label"] == "已被新版本替代"
    assert old["current_identifier"] == second.identifier and old["signature_valid"] is True

    other = person_licence(dept)
    assert issuing.expire_due(datetime.date(2029, 1, 1)) == 2
    expired = post({"identifier": other.versions.get(version=1).identifier}).json()
    assert expired["status"] == "expired"

    fresh = person_licence(dept)
    issuing.revoke(fresh, approver, reason="持证人死亡")
    revoked = post({"payload": verification.qr_payload(fresh.versions.get(version=1))}).json()
    assert revoked["status"] == "revoked" and revoked["revocation_reason"] == "持证人死亡"
    assert revoked["signature_valid"] is True


def test_unknown_and_tampered_answers_are_200_with_every_key(dept):
    absent = identifiers.build(f.TYPE_CODE, dept.credit_code, "999", 1)
    body = post({"identifier": absent}).json()
    assert body["status"] == "unknown" and body["signature_valid"] is False
    assert "未找到" in body["reason"]
    assert body["holder"] is None and body["type"] is None and body["valid_until"] is None

    version = person_licence(dept).current
    claims, _body, _sig = verification.read_payload(verification.qr_payload(version))
    forged_body = verification._b64url(json.dumps(dict(claims, u="2099-12-31")).encode())
    signature_part = verification.qr_payload(version).rsplit(".", 1)[1]
    forged = f"{verification.QR_PREFIX}{forged_body}.{signature_part}"
    body = post({"payload": forged}).json()
    assert body["status"] == "unknown" and body["signature_valid"] is False
    assert "篡改" in body["reason"]


@pytest.mark.parametrize(
    ("body", "field", "code", "words"),
    [
        ({}, "identifier", "required", "二者取其一"),
        ({"identifier": "", "payload": " "}, "identifier", "required", "二维码内容"),
        ({"identifier": "1.2.3"}, "identifier", "invalid", "1.2.156.3005.2."),
        (
            {"identifier": "1.2.156.3005.2.11440000006941385C001.11440700007035011R.1.001X"},
            "identifier",
            "invalid",
            "校验位",
        ),
        ({"payload": "GHL1.abc"}, "payload", "malformed", "二维码"),
        ({"identifier": "x" * 300}, "identifier", "max_length", "200"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(body, field, code, words):
    response = post(body)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert words in error["message"]


def test_a_body_that_is_not_an_object_is_refused():
    response = post(["1.2.156"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "请求体须为JSON对象。"


def test_verification_is_throttled_per_client(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "licence_verify": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    absent = {"identifier": identifiers.build(f.TYPE_CODE, "11440700007035011R", "9", 1)}
    assert [post(absent).status_code for _ in range(2)] == [200, 200]
    response = post(absent)
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "throttled"
    # Another address still gets through.
    assert post(absent, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_issuers_lists_every_key_active_and_retired_and_is_cacheable(dept):
    old = signing.active_key(dept)
    signing.rotate(dept, reason="年度轮换")
    client = Client()
    response = client.get("/api/v1/licences/issuers")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    keys = {k["key_id"]: k for k in response.json()["keys"]}
    root = signing.root_key()
    assert keys[root.key_id]["is_root"] is True and keys[root.key_id]["department"] is None
    retired = keys[old.key_id]
    assert retired["retired_at"] is not None and retired["active"] is False
    assert retired["department"] == {"name": dept.name, "code": dept.credit_code}
    assert retired["public_key_pem"] == signing.public_key_pem(old.sm2_public_key)
    assert retired["public_key_hex"] == old.sm2_public_key
    assert retired["algorithm"] == "SM2-SM3" and retired["signer_id"] == "1234567812345678"
    assert retired["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    active = [k for k in keys.values() if k["department"] and k["active"]]
    assert len(active) == 1 and active[0]["key_id"] != old.key_id
    assert "private" not in response.content.decode().lower()
    again = client.get("/api/v1/licences/issuers", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]


def test_the_revocation_list_is_signed_by_the_root_key_and_openssl_agrees(dept, tmp_path):
    approver = cf.staff("approver", dept)
    kept = person_licence(dept)
    revoked = person_licence(dept)
    issuing.annotate(revoked, approver, text="加注", reason="加注")
    issuing.revoke(revoked, approver, reason="证照信息有误")
    client = Client()
    response = client.get("/api/v1/licences/revocations")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    body = response.json()
    root = signing.root_key()
    assert body["key_id"] == root.key_id and body["count"] == 1
    assert openssl_verifies(
        tmp_path,
        root.sm2_public_key,
        body["list"].encode("utf-8"),
        base64.b64decode(body["signature"]),
    )
    assert not openssl_verifies(
        tmp_path,
        root.sm2_public_key,
        body["list"].replace("证照信息有误", "无").encode("utf-8"),
        base64.b64decode(body["signature"]),
    )
    listed = json.loads(body["list"])
    assert listed["format"] == "govhall-revocations/1"
    assert listed["generated_at"] == body["generated_at"]
    (entry,) = listed["revocations"]
    parsed = identifiers.parse(revoked.current.identifier)
    assert entry["licence"] == (
        f"1.2.156.3005.2.{parsed.type_code}.{parsed.issuer_code}.{parsed.serial}"
    )
    assert entry["identifiers"] == [v.identifier for v in revoked.versions.order_by("version")]
    assert len(entry["identifiers"]) == 3 and entry["reason"] == "证照信息有误"
    assert kept.current.identifier not in body["list"]
    # Same revocations, same document: the ETag holds until the next revocation.
    assert client.get("/api/v1/licences/revocations").json()["signature"] == body["signature"]
    cached = client.get("/api/v1/licences/revocations", HTTP_IF_NONE_MATCH=response["ETag"])
    assert cached.status_code == 304
    issuing.revoke(kept, approver, reason="注销")
    changed = client.get("/api/v1/licences/revocations", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200 and changed.json()["count"] == 2


def test_the_revocation_list_prefix_helper():
    text = identifiers.build(f.TYPE_CODE, "11440700007035011R", "202600000001", 7)
    assert publication.licence_prefix(text) == (
        f"1.2.156.3005.2.{f.TYPE_CODE}.11440700007035011R.202600000001"
    )
