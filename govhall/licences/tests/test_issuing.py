"""同步签发 at conclusion, SM2 signatures OpenSSL accepts, versions, revocation, expiry."""

import base64
import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from govhall.cases.tests import factories as cf
from govhall.core.models import AuditEntry
from govhall.records.models import ProcessRecord

from ..models import IssuerKey, Licence, LicenceState, VersionKind
from ..services import identifiers, issuing, signing, verification
from . import factories as f
from . import openssl

pytestmark = pytest.mark.django_db


def openssl_verifies(tmp_path, public_key_hex: str, message: bytes, signature: bytes) -> bool:
    return openssl.verifies(tmp_path, signing.public_key_pem(public_key_hex), message, signature)


def test_conclusion_issues_the_licence_in_the_same_transaction(tmp_path):
    dept = cf.department("江门市民政局")
    f.licence_type(issuers=[dept])
    identity = cf.applicant()
    case, _clerk = f.concluded_case(dept, identity)

    licence = Licence.objects.get(case=case)
    version = licence.current
    assert licence.person == identity.person and licence.issuer == dept
    assert licence.number.startswith("粤低保") and case.result_number == licence.number
    assert version.valid_until == case.result_valid_until
    assert version.data == {"household_size": "3"}
    parsed = identifiers.parse(version.identifier)
    assert parsed.issuer_code == dept.credit_code and parsed.version == 1
    record = ProcessRecord.objects.get(case_number=case.number, event="conclude")
    assert record.payload["details"]["licence_identifier"] == version.identifier

    document = json.loads(version.canonical)
    # The ID number is bound by a salted commitment, never in clear (docs/licences.md).
    assert "holder_code" not in document and identity.person.id_number not in version.canonical
    salted = (version.licence.holder_salt + identity.person.id_number).encode()
    assert document["holder_code_commitment"] == "sm3:" + signing.sm3_hex(salted)
    assert document["identifier"] == version.identifier
    # The published key and OpenSSL's own SM2 agree that the issuer signed it.
    assert openssl_verifies(
        tmp_path,
        version.key.sm2_public_key,
        version.canonical.encode("utf-8"),
        base64.b64decode(version.signature),
    )
    tampered = version.canonical.replace('"household_size":"3"', '"household_size":"4"')
    assert not openssl_verifies(
        tmp_path, version.key.sm2_public_key, tampered.encode(), base64.b64decode(version.signature)
    )
    assert AuditEntry.objects.filter(
        object_type="licences.licence", object_id=str(licence.pk)
    ).exists()


def test_private_keys_are_encrypted_at_rest():
    dept = cf.department("江门市民政局")
    key = signing.active_key(dept)
    raw = IssuerKey.objects.filter(pk=key.pk).values_list("sm2_private_key", "certificate_key")[0]
    assert all(value.startswith("gAAAAA") for value in raw)  # Fernet tokens
    assert "PRIVATE KEY" not in raw[1]


def test_a_failing_issue_refuses_the_conclusion_and_nothing_is_kept():
    dept = cf.department("江门市民政局")
    other = cf.department("江门市工商行政管理局")
    f.licence_type(issuers=[other])  # the item's department may not issue this type
    with pytest.raises(ValidationError) as raised:
        f.concluded_case(dept)
    assert "签发部门" in str(raised.value)
    assert not Licence.objects.exists()


def person_licence(dept, identity=None):
    licence_type = f.licence_type(issuers=[dept])
    identity = identity or cf.applicant()
    return issuing.issue(
        licence_type,
        dept,
        issuing.Holder.of_person(identity.person),
        data={"household_size": 2},
        valid_from=datetime.date(2026, 1, 1),
    )


def test_versions_each_signed_and_old_identifiers_report_their_fate():
    dept = cf.department("江门市民政局")
    approver = cf.staff("approver", dept)
    licence = person_licence(dept)
    first = licence.current
    assert first.valid_until == datetime.date(2028, 12, 31)

    annotated = issuing.annotate(licence, approver, text="2026年度年检合格", reason="年检")
    changed = issuing.change(licence, approver, data={"household_size": 4}, reason="家庭人口变化")
    renewed = issuing.renew(
        licence, approver, valid_until=datetime.date(2031, 12, 31), reason="期满延续"
    )
    assert [v.version for v in licence.versions.all()] == [1, 2, 3, 4]
    assert annotated.annotations[0]["text"] == "2026年度年检合格"
    assert changed.data["household_size"] == "4" and changed.annotations == annotated.annotations
    assert renewed.valid_until == datetime.date(2031, 12, 31)
    assert verification.verify(first.identifier)["status"] == "superseded"
    assert verification.verify(renewed.identifier)["status"] == "valid"

    revoked = issuing.revoke(licence, approver, reason="持证人申请注销")
    assert revoked.kind == VersionKind.REVOKE
    licence.refresh_from_db()
    assert licence.state == LicenceState.REVOKED
    for version in (first, renewed, revoked):
        answer = verification.verify(version.identifier)
        assert answer["status"] == "revoked" and answer["signature_valid"] is True
    assert verification.verify(revoked.identifier)["revocation_reason"] == "持证人申请注销"
    with pytest.raises(ValidationError, match="已注销"):
        issuing.annotate(licence, approver, text="再加注")


def test_lifecycle_needs_reasons_and_the_issuers_staff():
    dept = cf.department("江门市民政局")
    licence = person_licence(dept)
    outsider = cf.staff("approver", cf.department("潮州市民政局", cf.CHAOZHOU))
    with pytest.raises(ValidationError, match="签发部门的工作人员"):
        issuing.revoke(licence, outsider, reason="越权")
    with pytest.raises(ValidationError) as raised:
        issuing.revoke(licence, cf.staff("approver", dept), reason=" ")
    assert "reason" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        issuing.change(
            licence, cf.staff("approver", dept), data={"household_size": "多"}, reason="x"
        )
    assert raised.value.message_dict == {"data.household_size": ["照面信息“家庭人口”须为数字。"]}
    assert licence.versions.count() == 1


def test_expiry_is_a_signed_version_and_verifies_as_expired():
    dept = cf.department("江门市民政局")
    licence = person_licence(dept)
    assert issuing.expire_due(datetime.date(2029, 1, 1)) == 1
    licence.refresh_from_db()
    assert licence.state == LicenceState.EXPIRED and licence.current.kind == VersionKind.EXPIRE
    assert verification.verify(licence.current.identifier)["status"] == "expired"
    assert issuing.expire_due(datetime.date(2029, 1, 1)) == 0


def test_key_rotation_keeps_earlier_licences_verifiable(tmp_path):
    dept = cf.department("江门市民政局")
    before = person_licence(dept).current
    new_key = signing.rotate(dept, reason="年度轮换")
    after = person_licence(dept).current
    assert before.key_id != new_key.pk and after.key_id == new_key.pk
    for version in (before, after):
        assert verification.verify(version.identifier)["signature_valid"] is True
    assert IssuerKey.objects.filter(department=dept).count() == 2


def test_qr_payload_verifies_offline_and_tampering_fails():
    dept = cf.department("江门市民政局")
    identity = cf.applicant(name="张小明")
    version = person_licence(dept, identity).current
    payload = verification.qr_payload(version)
    claims, body, signature = verification.read_payload(payload)
    assert claims["i"] == version.identifier and claims["h"] == "张*明"
    assert (
        identity.person.id_number not in payload and identity.person.id_number not in body.decode()
    )
    # Offline: only the published public key is needed.
    assert signing.verify(version.key.sm2_public_key, body, signature)
    answer = verification.verify(payload)
    assert answer["status"] == "valid" and answer["signature_valid"] is True

    forged_claims = dict(claims, u="2099-12-31")
    forged_body = verification._b64url(json.dumps(forged_claims).encode())
    forged = f"{verification.QR_PREFIX}{forged_body}.{payload.rsplit('.', 1)[1]}"
    answer = verification.verify(forged)
    assert answer["status"] == "unknown" and answer["signature_valid"] is False
    assert "篡改" in answer["reason"]


def test_unknown_and_malformed_identifiers():
    answer = verification.verify("1.2.156.3005.2.11440000006941385C001.11440700007035011R.1.001X")
    assert answer["status"] == "unknown"
    text = identifiers.build(f.TYPE_CODE, "11440700007035011R", "999", 1)
    assert verification.verify(text) == {**verification.verify(text), "status": "unknown"}
    assert "未找到" in verification.verify(text)["reason"]


def test_qr_text_is_a_verification_link_carrying_the_payload(settings):
    settings.GOVHALL_PUBLIC_URL = "https://www.gdzwfw.gov.cn"
    version = person_licence(cf.department("江门市民政局")).current
    text = verification.qr_text(version)
    assert text.startswith("https://www.gdzwfw.gov.cn/licences/verify/?p=GHL1.")
    assert verification.verify(text)["identifier"] == version.identifier


def test_expire_command(capsys):
    from django.core.management import call_command

    licence = person_licence(cf.department("江门市民政局"))
    call_command("expire_licences", "--today", "2029-01-02")
    assert "1本" in capsys.readouterr().out
    licence.refresh_from_db()
    assert licence.state == LicenceState.EXPIRED
    entry = AuditEntry.objects.filter(object_id=str(licence.pk)).latest("sequence")
    assert entry.actor_label == "system:expire_licences"
