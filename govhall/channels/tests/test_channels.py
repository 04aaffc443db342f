"""Third-party channels: registration as OAuth2 clients, what their tokens may call, the
channel every case and rating records, rate limits and the usage report."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from govhall.accounts.models import ClientProfile
from govhall.cases.models import Application, Case, Rating
from govhall.cases.services import applications, handling
from govhall.cases.tests import factories as f
from govhall.channels.models import Channel, ChannelDay
from govhall.channels.services import registry
from govhall.core.models import AuditEntry
from govhall.monitoring.models import CaseFact
from govhall.monitoring.services import refresh
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post
from govhall.spaces.models import DataRead
from tests.factories import bearer_header

from .conftest import channel, token_header

pytestmark = pytest.mark.django_db
JSON = "application/json"
CONTACT = {"contact_phone": "13800138000", "delivery": "electronic"}


def one_call(client: Client, headers: dict, identity, item, key="k-1", channel_field="online"):
    """Upload the materials to the locker through the API, then apply in one call."""
    materials = []
    for need in applications.material_needs(Application(item=item)):
        if need.required and not need.fetched_by_hall:
            uploaded = client.post(
                "/api/v1/my/materials/",
                {"file": f.pdf(need.name), "title": need.name, "key": need.key},
                **headers,
            )
            assert uploaded.status_code == 201, uploaded.content
            materials.append({"key": need.key, "locker_file": uploaded.json()["public_id"]})
    body = {
        "item": item.implementation_code,
        "channel": channel_field,
        "answers": dict(f.ANSWERS),
        "materials": materials,
        **CONTACT,
    }
    return client.post(
        "/api/v1/applications/apply",
        body,
        content_type=JSON,
        HTTP_IDEMPOTENCY_KEY=key,
        **headers,
    )


# --- registration -----------------------------------------------------------------------


def test_a_channel_is_an_oidc_client_with_its_scopes_and_case_channel():
    created, secret = registry.register_channel(
        code="bank-app",
        name="某银行手机银行",
        kind=Channel.Kind.BANK_APP,
        redirect_uris=["https://bank.example/cb"],
        scopes="openid profile cases licences",
        rate_per_minute=120,
    )
    app = created.application
    profile = ClientProfile.objects.get(application=app)
    assert secret and app.client_secret != secret  # stored hashed, shown once
    assert app.authorization_grant_type == "authorization-code" and app.algorithm == "RS256"
    assert profile.scopes == ["openid", "profile", "cases", "licences"]
    assert profile.channel == "mobile" == created.case_channel
    assert AuditEntry.objects.filter(object_id=str(created.pk), action="create").exists()

    kiosk = channel("hall-kiosk", Channel.Kind.KIOSK)
    assert ClientProfile.objects.get(application=kiosk.application).channel == "kiosk"


def test_a_channel_cannot_ask_for_staff_or_id_number_and_needs_a_valid_rate():
    with pytest.raises(ValidationError) as refused:
        registry.register_channel(
            code="X",
            name="坏渠道",
            kind="tv",
            redirect_uris=["https://x.example/cb"],
            scopes="openid staff id_number",
            rate_per_minute=0,
        )
    fields = refused.value.message_dict
    assert set(fields) == {"code", "kind", "scopes", "rate_per_minute"}
    assert "id_number、staff" in fields["scopes"][0]
    assert not Channel.objects.exists()


# --- the channel recorded --------------------------------------------------------------


def test_a_case_applied_with_a_channel_token_records_the_channel_and_counts_as_mobile():
    identity, item = f.applicant(), f.item()
    chan = channel()
    response = one_call(Client(), token_header(identity.user, chan), identity, item)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["cases"][0]["number"])
    # the body said "online": the registered channel decides (手机办理)
    assert case.channel == "mobile" and case.channel_client_id == chan.application_id
    assert case.application.channel_client_id == chan.application_id
    record = ProcessRecord.objects.get(case_number=case.number, message_type="0")
    assert record.channel == "mobile"
    refresh.refresh()
    assert CaseFact.objects.get(case_number=case.number).channel == "mobile"


def test_a_kiosk_case_counts_as_kiosk_and_a_department_systems_token_keeps_the_body():
    identity, item = f.applicant(), f.item()
    kiosk = channel("hall-kiosk", Channel.Kind.KIOSK)
    response = one_call(Client(), token_header(identity.user, kiosk), identity, item, key="k-a")
    case = Case.objects.get(number=response.json()["cases"][0]["number"])
    assert (case.channel, case.channel_client_id) == ("kiosk", kiosk.application_id)

    other = f.applicant()
    headers = bearer_header(other.user, scope="openid profile")
    response = one_call(Client(), headers, other, item, key="k-b", channel_field="mobile")
    case = Case.objects.get(number=response.json()["cases"][0]["number"])
    assert case.channel == "mobile" and case.channel_client_id is not None
    assert not Channel.objects.filter(application_id=case.channel_client_id).exists()


def test_a_rating_through_a_channel_records_it():
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = f.handlers(dept)
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="拟同意")
    handling.complete_step(case, reviewer, opinion="同意")
    handling.decide(case, approver, decision="approve")
    handling.conclude(case, clerk, delivery="electronic")
    chan = channel()
    response = Client().post(
        f"/api/v1/my/cases/{case.number}/rating",
        {"level": 1, "comment": "很方便", "channel": "pc"},
        content_type=JSON,
        **token_header(identity.user, chan),
    )
    assert response.status_code in (200, 201), response.content
    rating = Rating.objects.get(case=case)
    assert rating.channel_client_id == chan.application_id and rating.channel == "mobile"


# --- what a channel token may call -----------------------------------------------------


def test_scopes_and_paths_of_a_channel_token():
    identity, item = f.applicant(), f.item()
    chan = channel()
    client = Client()
    only_profile = token_header(identity.user, chan, scope="openid profile")
    body = {"item": item.implementation_code, "answers": dict(f.ANSWERS), **CONTACT}
    refused = client.post("/api/v1/applications/apply", body, content_type=JSON, **only_profile)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["code"] == "channel_scope"
    assert "cases" in refused.json()["errors"][0]["message"]

    full = token_header(identity.user, chan)
    assert client.get("/api/v1/me", **full).status_code == 200
    assert client.get(f"/api/v1/items/{item.implementation_code}/", **full).status_code == 200
    assert client.get("/api/v1/my/cases/", **full).status_code == 200
    # licences need their own scope (the holder's consent at sign-in)
    assert client.get("/api/v1/my/licences/", **full).status_code == 403
    with_licences = token_header(identity.user, chan, scope="openid cases licences")
    assert client.get("/api/v1/my/licences/", **with_licences).status_code == 200
    read = DataRead.objects.get(subject_user=identity.user, source="licence")
    assert read.reader_client == chan.application.client_id and "某支付应用城市服务" in read.purpose
    # staff interfaces and the person's space are not channel interfaces
    for path in ("/api/v1/staff/inbox/", "/api/v1/my/space", "/api/v1/exchange/quality"):
        answer = client.get(path, **full)
        assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "channel_scope"
    day = ChannelDay.objects.get(channel=chan)
    assert day.requests == 9 and day.errors == 5 and day.throttled == 0


def test_a_stopped_channels_tokens_stop_working():
    identity = f.applicant()
    chan = channel()
    headers = token_header(identity.user, chan)
    assert Client().get("/api/v1/me", **headers).status_code == 200
    registry.set_active(chan, False)
    assert Client().get("/api/v1/me", **headers).status_code == 401
    assert ChannelDay.objects.get(channel=chan).errors == 1


# --- rate limits ------------------------------------------------------------------------


def test_each_channel_has_its_own_rate_limit():
    identity = f.applicant()
    slow, fast = channel(rate_per_minute=3), channel("msg-city", Channel.Kind.MESSAGING_APP)
    client = Client()
    slow_headers, fast_headers = (
        token_header(identity.user, slow),
        token_header(identity.user, fast),
    )
    codes = [client.get("/api/v1/me", **slow_headers).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.get("/api/v1/me", **fast_headers).status_code == 200
    registry.set_rate(slow, 100)
    assert client.get("/api/v1/me", **slow_headers).status_code == 200
    day = ChannelDay.objects.get(channel=slow)
    assert (day.requests, day.errors, day.throttled) == (6, 2, 2)


# --- the usage report -------------------------------------------------------------------


def test_usage_report_api_and_page_for_hall_administrators():
    identity, item = f.applicant(), f.item()
    chan, idle = channel(), channel("hall-kiosk", Channel.Kind.KIOSK)
    response = one_call(Client(), token_header(identity.user, chan), identity, item)
    assert response.status_code == 201
    calls = ChannelDay.objects.get(channel=chan).requests

    admin = f.staff(Post.HALL_ADMIN, f.department("江门市民政局"))
    staff = Client()
    staff.force_login(admin)
    report = staff.get("/api/v1/channels/usage").json()
    rows = {row["code"]: row for row in report["channels"]}
    assert set(rows) == {"pay-city", "hall-kiosk"}
    assert rows["pay-city"]["totals"] == {
        "requests": calls,
        "errors": 0,
        "throttled": 0,
        "cases": 1,
        "ratings": 0,
    }
    today = rows["pay-city"]["days"][-1]
    assert today["day"] == report["to"] and today["cases"] == 1 and today["requests"] == calls
    assert len(rows["pay-city"]["days"]) == 30 and rows["hall-kiosk"]["totals"]["requests"] == 0
    assert idle.code in staff.get("/workbench/channels/").content.decode()
    page = staff.get("/workbench/channels/", {"channel": "pay-city"}).content.decode()
    assert "某支付应用城市服务：按日" in page

    bad = staff.get("/api/v1/channels/usage", {"from": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "from"
    unknown = staff.get("/api/v1/channels/usage", {"channel": "nope"})
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "channel"

    clerk = Client()
    clerk.force_login(f.staff(Post.CLERK, f.department("江门市民政局")))
    assert clerk.get("/api/v1/channels/usage").status_code == 403
    assert clerk.get("/workbench/channels/").status_code == 403


def test_the_demo_registers_two_channels_once():
    from govhall.demo import channels as demo

    line = demo.load("demo-pass")
    assert "demo-pay-city" in line and "demo-hall-kiosk" in line
    assert demo.load("demo-pass") == ""
    kiosk = Channel.objects.get(code="demo-hall-kiosk")
    assert kiosk.case_channel == "kiosk" and kiosk.application.client_id == "demo-hall-kiosk"
    assert Channel.objects.count() == 2
