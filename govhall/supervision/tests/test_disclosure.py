"""The public monthly disclosure: shape, masking, downloads, and the journey of a card
from the scan to its closing changing the county's figures."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client

from govhall.core.services import calendar
from govhall.regions.models import Post
from tests.common import user_client as signed_in

from ..services import detection
from ..services.disclosure import mask_name
from . import helpers as h

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_mask_name():
    assert mask_name("陈志明") == "陈**"
    assert mask_name("李四") == "李*"
    assert mask_name("江门市某某科技有限公司") == "江门市某某科技有限公司"
    assert mask_name("") == ""


def test_journey_county_card_to_closing_changes_the_disclosure():
    department = h.civil_affairs()
    today = detection.today()
    period = f"{today:%Y-%m}"
    due = calendar.add_working_days(today, 1).due_date
    h.local_record("J-1", department, "submit", "0", h.hours_ago(3), state="submitted")
    h.local_record(
        "J-1",
        department,
        "accept",
        "2",
        h.hours_ago(2),
        promised_due=due,
        statutory_due=calendar.add_working_days(today, 20).due_date,
    )
    detection.watch()
    public = Client()
    url = "/api/v1/disclosure/"
    before = public.get(url, {"region": h.PENGJIANG, "period": period}).json()
    assert before["warnings"]["total"] == 0
    # The scan on the day after the promised limit: a yellow then a red card.
    late = calendar.add_working_days(due, 1).due_date
    detection.scan(late)
    supervisor = signed_in(h.supervisor_of("440700"))
    cards = supervisor.get("/api/v1/supervision/warnings", {"case_number": "J-1"}).json()
    assert sorted((w["card"], w["rule"]["name"]) for w in cards["results"]) == [
        ("red", "超过承诺办结时限"),
        ("yellow", "临近承诺办结时限"),
    ]
    red = next(w for w in cards["results"] if w["card"] == "red")
    dept = signed_in(h.staff(Post.CLERK, department))
    base = f"/api/v1/supervision/warnings/{red['id']}"
    assert (
        dept.post(f"{base}/dispute", {"note": "系统时限设置有误"}, content_type=JSON).status_code
        == 200
    )
    assert (
        supervisor.post(
            f"{base}/reject-dispute", {"note": "时限按办事指南"}, content_type=JSON
        ).status_code
        == 200
    )
    assert (
        dept.post(f"{base}/answer", {"note": "已办结并致歉"}, content_type=JSON).status_code == 200
    )
    assert (
        supervisor.post(f"{base}/close", {"note": "整改到位"}, content_type=JSON).status_code == 200
    )
    after = public.get(url, {"region": h.PENGJIANG, "period": period}).json()
    # Cards count in the month they were raised (now).
    assert after["warnings"]["red"] == 1 and after["warnings"]["yellow"] == 1
    assert after["warnings"]["rectified"] == 1
    assert after["warnings"]["rectified_share"] == 50.0
    assert {r["code"] for r in after["warnings"]["by_rule"]} == {"SX02", "SX03"}
    city = public.get(url, {"region": "440700", "period": period}).json()
    assert city["warnings"]["rectified"] >= 1
    chaozhou = public.get(url, {"region": h.CHAOZHOU, "period": period}).json()
    assert chaozhou["warnings"]["total"] == 0


def test_disclosure_shape_masking_and_downloads():
    department = h.civil_affairs()
    when = datetime.datetime(2026, 11, 12, 10, tzinfo=h.SHANGHAI)
    h.local_record("D-1", department, "submit", "0", when - datetime.timedelta(days=2))
    h.local_record("D-1", department, "accept", "2", when - datetime.timedelta(days=1))
    h.local_record(
        "D-1",
        department,
        "conclude",
        "4",
        when,
        state="concluded",
        details={"conclusion_code": "0", "decision": "approve"},
    )
    h.local_record(
        "D-1",
        department,
        "rate",
        "R",
        when,
        state="concluded",
        details={"level": 5, "comment": "慢"},
    )
    detection.watch()
    public = Client()
    body = public.get("/api/v1/disclosure/", {"region": h.PENGJIANG, "period": "2026-11"}).json()
    assert set(body) >= {"warnings", "complaints", "ratings", "cases", "items_entered"}
    row = body["cases"]["results"][0]
    assert row == {
        "case_number": "D-1",
        "item_name": "城乡居民最低生活保障申请",
        "department": "蓬江区民政局",
        "applicant": "陈**",
        "accepted_on": "2026-11-11",
        "concluded_on": "2026-11-12",
        "result": "准予",
    }
    assert "陈志明" not in str(body)
    assert body["ratings"]["by_level"]["5"] == 1 and body["ratings"]["bad"] == 1
    assert body["ratings"]["bad_followed"] == 1 and body["ratings"]["callback_share"] == 0.0
    bad = public.get("/api/v1/disclosure/", {"region": "99", "period": "2026-13"})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} <= {"region", "period"}
    assert public.get("/api/v1/disclosure/", {"period": "2026-11"}).status_code == 400
    page = public.get("/supervision/", {"region": h.PENGJIANG, "period": "2026-11"})
    html = page.content.decode()
    assert page.status_code == 200 and "陈**" in html and "办件公示" in html
    assert public.get("/supervision/", {"region": "x", "period": "2026-11"}).status_code == 400
    download = public.get(
        "/supervision/disclosure.csv", {"region": h.PENGJIANG, "period": "2026-11"}
    )
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [
        "D-1",
        "城乡居民最低生活保障申请",
        "蓬江区民政局",
        "陈**",
        "2026-11-11",
        "2026-11-12",
        "准予",
    ] in rows
    as_json = public.get(
        "/supervision/disclosure.json", {"region": h.PENGJIANG, "period": "2026-11"}
    )
    assert as_json.json()["cases"]["count"] == 1


def test_portal_tile_leads_to_the_disclosure():
    html = Client().get("/halls/440700/").content.decode()
    assert "/supervision/?region=440700" in html
    assert Client().get("/supervision/?region=440700").status_code == 200
