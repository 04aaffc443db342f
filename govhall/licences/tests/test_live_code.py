"""The live 亮证 code: a screenshot stops verifying after its window, online and offline."""

import datetime
import json
import re

import pytest
from django.test import Client

from govhall.cases.tests import factories as cf

from .. import offline_verify
from ..services import issuing, live, pdf, publication, verification
from ..services.verification import Status
from . import factories as f
from .test_holder_pages import signed_in
from .test_issuing import person_licence

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """Time travel for the live code's clock (the one place it reads the time)."""
    state = {"now": datetime.datetime.now(datetime.UTC)}
    monkeypatch.setattr(live, "now", lambda: state["now"])

    def travel(seconds):
        state["now"] += datetime.timedelta(seconds=seconds)
        return state["now"]

    state["travel"] = travel
    return state


@pytest.fixture
def holder_licence():
    dept = cf.department("江门市民政局")
    identity = cf.applicant(name="张小明")
    licence = person_licence(dept, identity)
    return identity, licence


def published():
    client = Client()
    issuers = client.get("/api/v1/licences/issuers").json()
    revocations = client.get("/api/v1/licences/revocations").json()
    return issuers, revocations


def test_a_screenshot_of_the_live_code_fails_online_after_its_window(holder_licence, clock):
    identity, licence = holder_licence
    client = signed_in(identity)
    taken = client.get(f"/my/licences/{licence.pk}/live-code").json()  # the screenshot
    assert taken["payload"].startswith("GHL2.") and taken["refresh_seconds"] == 60
    assert "no-cache" in client.get(f"/my/licences/{licence.pk}/live-code")["Cache-Control"]

    body = (
        Client()
        .post(
            "/api/v1/licences/verify", {"payload": taken["text"]}, content_type="application/json"
        )
        .json()
    )
    assert body["status"] == Status.VALID and body["signature_valid"] is True
    assert body["qr"]["kind"] == "live" and body["qr"]["expired"] is False
    assert body["holder"]["name"] == "张*明"

    clock["travel"](live.WINDOW_SECONDS + 1)
    body = (
        Client()
        .post(
            "/api/v1/licences/verify", {"payload": taken["text"]}, content_type="application/json"
        )
        .json()
    )
    assert body["status"] == Status.UNKNOWN
    assert body["reason"] == "二维码已过期，请让持证人刷新。"
    assert body["qr"]["expired"] is True
    page = Client().get("/licences/verify/", {"p": taken["payload"]})
    assert "二维码已过期，请让持证人刷新" in page.content.decode()

    fresh = client.get(f"/my/licences/{licence.pk}/live-code").json()  # the holder refreshes
    assert fresh["payload"] != taken["payload"]
    assert verification.verify(fresh["payload"])["status"] == Status.VALID


def test_a_screenshot_fails_with_the_offline_verifier_and_published_keys(holder_licence, clock):
    _, licence = holder_licence
    taken = live.live_payload(licence.current)
    issuers, revocations = published()
    # A round trip through files, as a counter would keep them.
    issuers = json.loads(json.dumps(issuers))
    at = clock["now"]
    answer = offline_verify.verify(taken["payload"], issuers, revocations, now=at)
    assert answer["status"] == "valid" and answer["qr"]["kind"] == "live"
    assert answer["holder"]["name"] == "张*明" and answer["type"] == "最低生活保障证"
    later = at + datetime.timedelta(seconds=live.WINDOW_SECONDS - 1)
    assert offline_verify.verify(taken["payload"], issuers, revocations, now=later)["status"] == (
        "valid"
    )
    after = at + datetime.timedelta(seconds=live.WINDOW_SECONDS + 1)
    answer = offline_verify.verify(taken["payload"], issuers, revocations, now=after)
    assert answer["status"] == "unknown"
    assert answer["status_label"] == "二维码已过期，请让持证人刷新"
    # A verifier whose clock runs far behind cannot be fooled into accepting it early either.
    before = at - datetime.timedelta(seconds=live.CLOCK_SKEW + 5)
    assert offline_verify.verify(taken["payload"], issuers, now=before)["status"] == "unknown"


def test_the_offline_verifier_refuses_a_stretched_window_or_unknown_key(holder_licence, clock):
    _, licence = holder_licence
    taken = live.live_payload(licence.current)
    issuers, _ = published()
    body, signature = taken["payload"][5:].split(".")
    claims = json.loads(verification._unb64url(body))
    claims["e"] += 3600  # someone edits the expiry: the signature no longer matches
    forged = "GHL2." + verification.b64url(json.dumps(claims).encode()) + "." + signature
    assert offline_verify.verify(forged, issuers)["signature_valid"] is False
    assert verification.verify(forged)["signature_valid"] is False
    assert offline_verify.verify(taken["payload"], {"keys": []})["status"] == "unknown"


def test_the_offline_verifier_reads_the_signed_revocation_list(holder_licence, clock):
    _, licence = holder_licence
    taken = live.live_payload(licence.current)
    issuers, revocations = published()
    tampered = {**revocations, "list": revocations["list"].replace("[]", '[{"identifiers":[]}]')}
    answer = offline_verify.verify(taken["payload"], issuers, tampered, now=clock["now"])
    assert answer["status"] == "unknown" and "注销列表" in answer["reason"]


def test_the_printed_code_stays_static_and_says_so(holder_licence, clock):
    _, licence = holder_licence
    version = licence.current
    static = verification.qr_payload(version)
    assert static.startswith("GHL1.")
    clock["travel"](3600)
    answer = verification.verify(static)
    assert answer["status"] == Status.VALID and answer["qr"] == {"kind": "static"}
    issuers, _ = published()
    offline = offline_verify.verify(static, issuers)
    assert offline["status"] == "valid" and offline["note"] == offline_verify.STATIC_NOTE
    html = pdf.render_html(version)
    assert "静态二维码（打印件）" in html
    page = Client().get("/licences/verify/", {"p": static}).content.decode()
    assert "打印件上的静态二维码" in page


def test_the_holder_page_shows_the_live_code_with_its_script(holder_licence):
    identity, licence = holder_licence
    page = signed_in(identity).get(f"/my/licences/{licence.pk}/").content.decode()
    assert 'data-live-url="/my/licences/' in page and "licences/live-code.js" in page
    assert "qr-svg" in page and "动态亮证码" in page


def test_the_verification_page_shows_the_photo_field_when_the_type_has_one(clock):
    dept = cf.department("江门市民政局")
    fields = [*f.FIELDS, {"name": "photo", "label": "持证人照片", "type": "text"}]
    licence_type = f.licence_type(issuers=[dept], fields=fields)
    licence = issuing.issue(
        licence_type,
        dept,
        issuing.Holder.of_person(cf.applicant().person),
        data={"household_size": 2, "photo": "照片档案 P-0001"},
        valid_from=datetime.date(2026, 1, 1),
    )
    payload = live.live_payload(licence.current)["payload"]
    answer = verification.verify(payload)
    assert answer["photo"] == {"label": "持证人照片", "value": "照片档案 P-0001"}
    page = Client().get("/licences/verify/", {"p": payload}).content.decode()
    assert "持证人照片" in page and "请核对持证人本人与照片一致" in page
    assert publication.verify_public(payload, field="payload", channel="api")["status"] == "valid"


def test_the_verification_page_shows_type_masked_holder_issuer_validity_and_signed_time(
    holder_licence, clock
):
    _, licence = holder_licence
    payload = live.live_payload(licence.current)["payload"]
    page = Client().get("/licences/verify/", {"p": payload}).content.decode()
    text = " ".join(page.split())
    pairs = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd[^>]*>(.*?)</dd>", text))
    assert licence.type.name in pairs["证照类型"]
    assert pairs["持证主体"] == "张*明" and "张小明" not in page  # masked, never the full name
    assert "江门市民政局" in pairs["颁证单位"]
    assert pairs["有效期"].startswith("自 ") and "2026" in pairs["有效期"]
    assert "签名时间" in pairs["签名"]
