"""好差评 follow-up: a bad rating (through POST /api/v1/ratings on a real concluded case,
or pushed by a branch hall) opens a follow-up with the region's deadlines; 回访,
rectification, the rater's re-rating; a missed deadline raises a card."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from govhall.cases.services import handling
from govhall.cases.tests import factories as cf
from govhall.core.services import calendar
from govhall.regions.models import Post
from tests import common as f
from tests.common import user_client as signed_in

from ..models import FollowUpState, RatingFollowUp, Rule, Warning
from ..services import detection, followups, rules
from . import helpers as h

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def concluded():
    """A case of 江门市民政局 taken through the case engine to its conclusion."""
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = f.handlers(dept)
    identity = f.applicant()
    case = cf.submitted(f.item(dept), identity)
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="拟同意")
    handling.complete_step(case, reviewer, opinion="同意")
    handling.decide(case, approver, decision="approve")
    handling.conclude(case, clerk, delivery="electronic")
    return case, identity, clerk


def test_bad_rating_follow_up_callback_rectify_rerate(concluded):
    case, identity, clerk = concluded
    rater = signed_in(identity.user)
    body = {
        "case_number": case.number,
        "level": 5,
        "channel": "mobile",
        "tags": ["未在承诺时间内办结"],
        "comment": "等了很久没有人通知",
    }
    response = rater.post("/api/v1/ratings", body, content_type=JSON)
    assert response.status_code == 201, response.json()
    follow_up = response.json()["follow_up"]
    assert follow_up["state"] == "open" and follow_up["tags"] == ["未在承诺时间内办结"]
    row = RatingFollowUp.objects.get()
    assert row.callback_due - row.rated_at == datetime.timedelta(hours=24)
    assert (
        row.rectify_due == calendar.add_working_days(timezone.localdate(row.rated_at), 15).due_date
    )
    # The periodic run finds the same rating record: nothing new.
    detection.watch()
    assert RatingFollowUp.objects.count() == 1
    # Re-rating before the rectification is the case engine's "already rated".
    again = rater.post("/api/v1/ratings", {**body, "level": 2, "tags": []}, content_type=JSON)
    assert again.status_code == 409
    dept = signed_in(clerk)
    url = f"/api/v1/supervision/follow-ups/{row.pk}"
    assert dept.post(f"{url}/rectify", {"note": "x"}, content_type=JSON).status_code == 409
    response = dept.post(f"{url}/callback", {"note": ""}, content_type=JSON)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"
    assert (
        dept.post(
            f"{url}/callback", {"note": "已电话回访，申请人反映通知不及时"}, content_type=JSON
        ).json()["state"]
        == "called_back"
    )
    assert (
        dept.post(f"{url}/rectify", {"note": "增加短信提醒环节"}, content_type=JSON).json()["state"]
        == "rectified"
    )
    told = rater.get(f"/api/v1/ratings/{case.number}").json()
    assert told["follow_up"]["rectification"] == "增加短信提醒环节" and told["level"] == 5
    assert signed_in(f.applicant().user).get(f"/api/v1/ratings/{case.number}").status_code == 404
    rerated = rater.post("/api/v1/ratings", {**body, "level": 2, "tags": []}, content_type=JSON)
    assert rerated.status_code == 200
    assert rerated.json()["rerating"] is True and rerated.json()["follow_up"]["rerated_level"] == 2
    assert RatingFollowUp.objects.get().state == FollowUpState.CLOSED
    figures = followups.figures(RatingFollowUp.objects.all())
    assert (figures["callback_share"], figures["rectified_share"]) == (100.0, 100.0)


def test_ratings_api_refusals(concluded):
    case, identity, _ = concluded
    rater = signed_in(identity.user)
    response = rater.post(
        "/api/v1/ratings",
        {"case_number": case.number, "level": 4, "tags": ["好得很"], "comment": "差"},
        content_type=JSON,
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "tags"
    stranger = signed_in(f.applicant().user)
    assert (
        stranger.post(
            "/api/v1/ratings", {"case_number": case.number, "level": 1}, content_type=JSON
        ).status_code
        == 404
    )
    assert Client().post(
        "/api/v1/ratings", {"case_number": case.number, "level": 1}, content_type=JSON
    ).status_code in (401, 403)
    good = rater.post(
        "/api/v1/ratings", {"case_number": case.number, "level": 1}, content_type=JSON
    )
    assert good.status_code == 201 and good.json()["follow_up"] is None
    assert not RatingFollowUp.objects.exists()


def test_pushed_bad_rating_and_regional_deadlines():
    base = Rule.objects.get(code="HC01", region_code="")
    rules.revise(base, None, region_code="440703", threshold_hours=48, threshold_days=5)
    item = f.item(h.civil_affairs(), name="城乡居民最低生活保障申请")
    client = h.county_client()
    story = h.story(item, 20)
    start = h.hours_ago(6)
    records = story.whole(start)
    rating = story.record(
        "R",
        start + datetime.timedelta(hours=5),
        "concluded",
        details={"level": 4, "comment": "材料要求反复变化", "channel": "sms"},
    )
    assert h.push(client, [*records, rating])[-1] == "accepted"
    detection.watch()
    row = RatingFollowUp.objects.get(case_number=story.number)
    assert row.source == "pengjiang-hall" and row.level == 4
    assert row.callback_due - row.rated_at == datetime.timedelta(hours=48)
    assert (
        row.rectify_due == calendar.add_working_days(timezone.localdate(row.rated_at), 5).due_date
    )


def test_missed_deadlines_raise_a_card_once(concluded):
    case, identity, clerk = concluded
    signed_in(identity.user).post(
        "/api/v1/ratings",
        {"case_number": case.number, "level": 4, "comment": "跑了两次"},
        content_type=JSON,
    )
    row = RatingFollowUp.objects.get()
    assert followups.raise_overdue(row.callback_due - datetime.timedelta(minutes=1)) == 0
    late = row.callback_due + datetime.timedelta(hours=1)
    assert followups.raise_overdue(late) == 1
    assert followups.raise_overdue(late) == 0
    warning = Warning.objects.get(rule_code="HC01")
    assert warning.department_code == case.department.credit_code
    assert "逾期未回访" in warning.detail
    followups.record_callback(clerk, row, "已回访")
    after = timezone.make_aware(
        datetime.datetime.combine(row.rectify_due + datetime.timedelta(days=1), datetime.time(9))
    )
    assert followups.raise_overdue(after) == 1
    assert Warning.objects.filter(rule_code="HC01").count() == 2


def test_follow_up_pages_and_scope(concluded):
    case, identity, clerk = concluded
    signed_in(identity.user).post(
        "/api/v1/ratings",
        {"case_number": case.number, "level": 5, "comment": "态度差"},
        content_type=JSON,
    )
    row = RatingFollowUp.objects.get()
    dept = signed_in(clerk)
    assert case.number in dept.get("/workbench/supervision/follow-ups/").content.decode()
    response = dept.post(
        f"/workbench/supervision/follow-ups/{row.pk}/callback/", {"note": "已回访"}
    )
    assert response.status_code == 302
    chaozhou = signed_in(h.staff(Post.CLERK, f.dept_like("民政", h.CHAOZHOU)))
    assert chaozhou.get(f"/workbench/supervision/follow-ups/{row.pk}/").status_code == 404
    assert chaozhou.get("/api/v1/supervision/follow-ups").json()["count"] == 0
