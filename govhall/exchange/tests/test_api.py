"""The inbound exchange API end to end: a county system with a real client-credentials
token pushes a mixed batch, pushes it again, and reads its quality feedback; the staff page
of the client shows the same findings."""

import datetime
import json
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from govhall.accounts.services.clients import register_client
from govhall.core.models import AuditEntry
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department, Post

from ..models import ExchangeCall, QualityDay, QualityIssue
from ..services import clients, spec
from .conftest import JIANGHAI, CaseStory, case_number, push, staff, token_for

AccessToken = get_access_token_model()

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

HOUR = datetime.timedelta(hours=1)


def mixed_batch(story, item):
    """Good records of two cases, a schema error, a record outside the client's region and
    a duplicate inside the batch."""
    now = timezone.now()
    first = story(1).whole(now - 6 * HOUR)  # 申办 … 办结: 5 records
    second = story(2)
    second_records = [second.submit(now - 3 * HOUR), second.accept(now - 2 * HOUR)]
    broken = second.approve_step(now - HOUR, channel="fax", visits=-1)
    jianghai = Department.objects.get(region_id=JIANGHAI, name="江海区民政局")
    outside = CaseStory(item, jianghai, case_number(jianghai, 9), region=JIANGHAI).submit(
        now - HOUR
    )
    return [*first, *second_records, broken, outside, dict(second_records[0])]


def test_a_county_pushes_a_mixed_batch_and_gets_exact_results(county, county_token, story, item):
    client, _ = county
    batch = mixed_batch(story, item)
    response = push(county_token, {"records": batch})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (7, 1, 2)
    assert [r["status"] for r in body["results"]] == [
        *["accepted"] * 7,
        "rejected",
        "rejected",
        "duplicate",
    ]
    assert [r["index"] for r in body["results"]] == list(range(10))
    assert [r["record_id"] for r in body["results"]] == [r["record_id"] for r in batch]
    assert all(r["errors"] == {} for r in body["results"] if r["status"] != "rejected")
    assert body["results"][7]["errors"] == {
        "channel": ["取值“fax”无效，应为以下之一：online、mobile、counter、kiosk、third_party。"],
        "visits": ["不能小于0。"],
    }
    assert body["results"][8]["errors"] == {
        "region_code": ["行政区划440704不在本客户端登记的报送区划内。"]
    }

    stored = ProcessRecord.objects.filter(source=client.code).order_by("occurred_at")
    assert stored.count() == 7
    assert not ProcessRecord.objects.filter(record_id__in=[batch[7]["record_id"]]).exists()
    accept = stored.get(record_id=batch[1]["record_id"])
    assert (accept.message_type, accept.event, accept.region_code) == ("2", "accept", "440703")
    assert accept.department_code == batch[1]["department"]["code"]
    assert (accept.case_type, accept.channel, accept.visits) == ("2", "online", 0)
    assert accept.payload["event"] == "accept"  # derived: the sender left it out
    assert "event" not in batch[1]
    assert QualityIssue.objects.filter(client=client).count() == 0
    day = QualityDay.objects.get(client=client)
    assert (day.received, day.accepted, day.duplicates, day.rejected) == (10, 7, 1, 2)
    assert day.score == 80.0  # (7 clean + 1 duplicate) of 10
    audits = AuditEntry.objects.filter(
        object_type="exchange.exchangeclient", object_id=str(client.pk)
    )
    assert audits.filter(action=AuditEntry.Action.IMPORT).count() == 1  # one per call

    # the same batch again: the accepted ones are duplicates, nothing changes
    counts = (ProcessRecord.objects.count(), QualityIssue.objects.count())
    again = push(county_token, {"records": batch}).json()
    assert [r["status"] for r in again["results"]] == [
        *["duplicate"] * 7,
        "rejected",
        "rejected",
        "duplicate",
    ]
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 8, 2)
    assert (ProcessRecord.objects.count(), QualityIssue.objects.count()) == counts
    assert audits.filter(action=AuditEntry.Action.IMPORT).count() == 1  # nothing accepted
    day.refresh_from_db()
    assert (day.received, day.accepted, day.duplicates, day.rejected) == (20, 7, 9, 4)

    calls = list(ExchangeCall.objects.filter(client=client).order_by("pk"))
    assert [(c.status_code, c.records, c.accepted, c.duplicates, c.rejected) for c in calls] == [
        (200, 10, 7, 1, 2),
        (200, 10, 0, 8, 2),
    ]
    assert calls[0].path == "/api/v1/exchange/process-records" and calls[0].method == "POST"
    assert calls[0].remote_addr == "127.0.0.1"
    # A 200 call that held refused records shows its first one in the call log.
    first_error = f"第7条（{batch[7]['record_id']}）拒收：channel：取值“fax”无效"
    assert calls[0].error.startswith(first_error)


def test_each_rejected_record_is_listed_for_the_sender_with_its_errors(
    county, county_token, story, item
):
    client, _ = county
    batch = mixed_batch(story, item)
    push(county_token, {"records": batch})

    api = Client().get("/api/v1/exchange/quality", HTTP_AUTHORIZATION=f"Bearer {county_token}")
    listed = sorted(api.json()["rejected_records"], key=lambda r: r["index"])
    assert [(r["index"], r["record_id"], r["case_number"]) for r in listed] == [
        (7, batch[7]["record_id"], batch[7]["case_number"]),
        (8, batch[8]["record_id"], batch[8]["case_number"]),
    ]
    assert listed[0]["errors"] == [
        {
            "field": "channel",
            "message": "取值“fax”无效，应为以下之一：online、mobile、counter、kiosk、third_party。",
        },
        {"field": "visits", "message": "不能小于0。"},
    ]
    assert listed[1]["errors"] == [
        {"field": "region_code", "message": "行政区划440704不在本客户端登记的报送区划内。"}
    ]

    # The sender's hall sees the same on its quality page, and the call's first error.
    admin = Client()
    admin.force_login(staff(Post.HALL_ADMIN, Department.objects.get(name="江门市民政局")))
    html = admin.get(f"/workbench/exchange/{client.code}/").content.decode()
    assert "拒收记录" in html and "（2）" in html
    assert batch[8]["record_id"] in html
    assert "<code>region_code</code>：行政区划440704不在本客户端登记的报送区划内。" in html
    assert f"第7条（{batch[7]['record_id']}）拒收：channel：" in html


def test_late_and_inconsistent_records_reach_the_senders_quality_feedback(
    county, county_token, story
):
    now = timezone.now()
    late = story(3).submit(now - 13 * HOUR)
    unaccepted = story(4)
    inconsistent = [unaccepted.submit(now - 2 * HOUR), unaccepted.conclude(now - HOUR)]
    body = push(county_token, {"records": [late, *inconsistent]}).json()
    assert [r["status"] for r in body["results"]] == ["accepted"] * 3

    # the client's own view: the quality API
    api = Client().get("/api/v1/exchange/quality", HTTP_AUTHORIZATION=f"Bearer {county_token}")
    assert api.status_code == 200, api.content
    report = api.json()
    assert report["client"] == "pengjiang-hall"
    found = {(i["rule"], i["record_id"]) for i in report["issues"]["results"]}
    assert found == {
        ("late_push", late["record_id"]),
        ("no_acceptance", inconsistent[1]["record_id"]),
        ("missing_steps", inconsistent[1]["record_id"]),
    }
    by_rule = {i["rule"]: i for i in report["issues"]["results"]}
    assert "12小时内报送" in by_rule["late_push"]["message"]
    assert by_rule["no_acceptance"]["rule_label"] == "办结前无受理信息"
    assert by_rule["no_acceptance"]["case_number"] == unaccepted.number
    assert report["issues"]["count"] == 3
    assert report["today"]["received"] == 3 and report["today"]["late"] == 1
    assert report["today"]["with_issues"] == 2
    assert report["today"]["score"] == pytest.approx(33.3)  # 1 clean of 3
    assert report["days"][0]["day"] == timezone.localdate().isoformat()
    logged = ExchangeCall.objects.filter(path="/api/v1/exchange/quality").get()
    assert (logged.method, logged.status_code, logged.client.code) == ("GET", 200, "pengjiang-hall")

    only_late = (
        Client()
        .get(
            "/api/v1/exchange/quality",
            {"rule": "late_push", "day": timezone.localdate().isoformat()},
            HTTP_AUTHORIZATION=f"Bearer {county_token}",
        )
        .json()
    )
    assert [i["record_id"] for i in only_late["issues"]["results"]] == [late["record_id"]]
    bad_day = Client().get(
        "/api/v1/exchange/quality",
        {"day": "2026-13-01"},
        HTTP_AUTHORIZATION=f"Bearer {county_token}",
    )
    assert bad_day.status_code == 400 and bad_day.json()["errors"][0]["field"] == "day"

    # the hall's view: the client's page, for the city's hall administrator
    admin = Client()
    admin.force_login(staff(Post.HALL_ADMIN, Department.objects.get(name="江门市民政局")))
    page = admin.get("/workbench/exchange/pengjiang-hall/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "超过12小时报送" in html and "办结前无受理信息" in html and "缺少审批环节" in html
    assert unaccepted.number in html and late["record_id"] in html
    assert "今日得分 33.3（收到 3 条）" in html
    filtered = admin.get("/workbench/exchange/pengjiang-hall/", {"rule": "no_acceptance"})
    text = filtered.content.decode()
    assert inconsistent[1]["record_id"] in text and late["record_id"] not in text
    listing = admin.get("/workbench/exchange/").content.decode()
    assert "蓬江区网上办事分厅" in listing and "33.3" in listing


def test_more_than_1000_records_refuse_the_whole_call(county, county_token, story):
    record = story(1).submit(timezone.now())
    records = [dict(record, record_id=str(uuid.uuid4())) for _ in range(1001)]
    response = push(county_token, {"records": records})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "records" and error["code"] == "max_items"
    assert "1000" in error["message"] and "1001" in error["message"]
    assert not ProcessRecord.objects.filter(source="pengjiang-hall").exists()
    call = ExchangeCall.objects.get(client=county[0])
    assert call.status_code == 400 and "records" in call.error


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"items": []}, "items", "additional_properties"),
        ({}, "records", "required"),
        ({"records": {}}, "records", "type"),
        ({"records": []}, "records", "min_items"),
        ([1, 2], "non_field_errors", "type"),
    ],
)
def test_a_malformed_body_is_400_naming_the_field(county_token, body, field, code):
    response = push(county_token, body)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == (field, code)


def test_invalid_json_is_400(county_token):
    response = push(county_token, "{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_without_a_valid_token_the_call_is_401_and_logged(county, story):
    record = story(1).submit(timezone.now())
    for token in (None, "not-a-token"):
        response = push(token, {"records": [record]})
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        error = response.json()["errors"][0]
        assert error["code"] == "token_required" and "client_credentials" in error["message"]
    assert not ProcessRecord.objects.filter(record_id=record["record_id"]).exists()
    calls = ExchangeCall.objects.filter(status_code=401)
    assert calls.count() == 2 and all(c.client_id is None for c in calls)


def test_an_inactive_client_is_403(county, county_token, story):
    client, _ = county
    clients.deactivate(client)
    response = push(county_token, {"records": [story(1).submit(timezone.now())]})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "client_inactive"
    assert "已停用" in response.json()["errors"][0]["message"]
    assert ExchangeCall.objects.get(client=client).status_code == 403


def bearer_token(application, scope: str) -> str:
    value = uuid.uuid4().hex
    AccessToken.objects.create(
        application=application,
        token=value,
        scope=scope,
        expires=timezone.now() + datetime.timedelta(hours=1),
    )
    return value


def test_tokens_without_the_scope_or_of_other_systems_are_403(county, story):
    client, secret = county
    # the token endpoint gives an exchange client no other scope
    answer = token_for(client.application.client_id, secret, scope="openid")
    assert answer["status"] == 400 and answer["error"] == "invalid_scope"
    record = story(1).submit(timezone.now())
    narrow = push(bearer_token(client.application, "openid"), {"records": [record]})
    assert narrow.status_code == 403
    assert narrow.json()["errors"][0]["code"] == "scope_missing"
    other = register_client(
        name="区民政业务系统", redirect_uris=["https://mz.example.cn/cb"]
    ).application
    foreign = push(bearer_token(other, "openid exchange"), {"records": [record]})
    assert foreign.status_code == 403
    assert foreign.json()["errors"][0]["code"] == "not_exchange_client"
    assert not ProcessRecord.objects.filter(record_id=record["record_id"]).exists()


def test_the_rate_limit_is_per_client_and_answers_429(county, county_token, story):
    client, _ = county
    client.rate_per_minute = 2
    client.save(update_fields=["rate_per_minute"])
    first = story(1)
    now = timezone.now()
    assert push(county_token, {"records": [first.submit(now - HOUR)]}).status_code == 200
    assert push(county_token, {"records": [first.accept(now)]}).status_code == 200
    third = push(county_token, {"records": [first.approve_step(now)]})
    assert third.status_code == 429
    error = third.json()["errors"][0]
    assert error["code"] == "rate_limited"
    assert "每分钟最多调用2次" in error["message"]
    assert int(third["Retry-After"]) >= 1
    # another client has its own allowance
    other, secret = clients.register(
        "江门市网上办事分厅", "jiangmen-hall", "branch_hall", ["440700"]
    )
    other_token = token_for(other.application.client_id, secret)["access_token"]
    assert push(other_token, {"records": [story(5).submit(now)]}).status_code == 200
    assert list(
        ExchangeCall.objects.filter(client=client)
        .order_by("pk")
        .values_list("status_code", flat=True)
    ) == [200, 200, 429]


def test_schema_files_are_served_read_only():
    anonymous = Client()
    response = anonymous.get("/api/v1/exchange/schemas/process-record-1.0.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/schema+json")
    schema = json.loads(response.content)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["format"] == {
        "description": schema["properties"]["format"]["description"],
        "const": "1.0",
    }
    assert response.content == spec.schema_bytes("process-record-1.0.json")
    again = anonymous.get(
        "/api/v1/exchange/schemas/process-record-1.0.json", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    batch = anonymous.get("/api/v1/exchange/schemas/process-record-batch-1.0.json").json()
    assert batch["properties"]["records"]["maxItems"] == 1000
    assert anonymous.get("/api/v1/exchange/schemas/settings.json").status_code == 404
    assert anonymous.get("/api/v1/exchange/schemas/..%2Fsettings.json").status_code == 404
    assert anonymous.post("/api/v1/exchange/schemas/process-record-1.0.json").status_code == 405


def test_the_exchange_endpoints_are_in_the_openapi_document(tmp_path):
    schema = Client().get("/api/v1/schema/", {"format": "json"}).json()
    push_op = schema["paths"]["/api/v1/exchange/process-records"]["post"]
    assert {"200", "400", "401", "403", "429"} <= set(push_op["responses"])
    assert "get" in schema["paths"]["/api/v1/exchange/quality"]
    assert "get" in schema["paths"]["/api/v1/exchange/schemas/{name}"]
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
