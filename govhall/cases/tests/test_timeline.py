"""The whole timeline of a case: done, current and pending stages with expected dates.

Expected dates are counted by hand from the State Council's 2026 schedule (Oct 1–7 off,
Oct 10 a make-up working day), not by the calendar service under test.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client

from govhall.regions.models import Post

from ..models import Suspension, SuspensionKind
from ..services import clocks, handling, timeline
from . import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


@pytest.fixture
def case_and_identity():
    dept = f.department("江门市民政局")
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.accept(case, f.staff(Post.CLERK, dept))
    case.refresh_from_db()
    case.submitted_at = datetime.datetime(2026, 9, 29, 9, 0, tzinfo=SHANGHAI)
    case.accepted_at = datetime.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    case.steps.update(started_at=case.accepted_at, completed_at=None)
    case.steps.filter(name="受理").update(completed_at=case.accepted_at)
    clocks.recompute(case, on=D(2026, 9, 30))
    case.save()
    return case, identity


def shape(line):
    return [(s.name, s.state, s.date, s.expected_date) for s in line.stages]


def test_pending_stages_are_expected_by_the_working_day_calendar(case_and_identity):
    case, _ = case_and_identity
    line = timeline.build(case, on=D(2026, 9, 30))
    assert shape(line) == [
        ("申请", "done", D(2026, 9, 29), None),
        ("受理", "done", D(2026, 9, 30), None),
        ("承办", "current", None, D(2026, 10, 10)),  # Oct 8, 9 and the make-up Saturday
        ("审核", "pending", None, D(2026, 10, 14)),
        ("批准", "pending", None, D(2026, 10, 16)),
        ("办结", "pending", None, D(2026, 10, 20)),  # the promised date (10 working days)
    ]
    assert line.current.department == "江门市民政局" and line.current.since == D(2026, 9, 30)
    assert line.next.name == "审核" and line.clock_stopped_reason == ""


def test_a_special_procedure_stops_the_clock_and_then_moves_every_expected_date(
    case_and_identity,
):
    case, _ = case_and_identity
    suspension = Suspension.objects.create(
        case=case,
        kind=SuspensionKind.EXPERT_REVIEW,
        reason="委托专家论证选址",
        started_on=D(2026, 10, 8),
    )
    stopped = timeline.build(case, on=D(2026, 10, 9))
    assert stopped.clock_stopped_reason == "专家评审：委托专家论证选址"
    assert all(s.expected_date is None for s in stopped.stages if s.state != "done")
    assert [r for r in timeline.public_stages(stopped) if "expected_date" in r] == []

    suspension.ended_on = D(2026, 10, 9)
    suspension.save()
    clocks.recompute(case, on=D(2026, 10, 12))
    case.save()
    moved = timeline.build(case, on=D(2026, 10, 12))
    assert moved.clock_stopped_reason == ""
    # Oct 8 and 9 do not count: each date moves by those two working days
    assert [s.expected_date for s in moved.stages[2:]] == [
        D(2026, 10, 13),
        D(2026, 10, 16),
        D(2026, 10, 20),
        D(2026, 10, 22),
    ]


def test_the_public_progress_query_carries_the_stages_without_personal_data(case_and_identity):
    cache.clear()
    case, identity = case_and_identity
    body = (
        Client()
        .get(f"/api/v1/cases/{case.number}/progress", {"applicant_id": identity.person.id_number})
        .json()
    )
    names = [s["name"] for s in body["stages"]]
    assert names == ["申请", "受理", "承办", "审核", "批准", "办结"]
    assert body["stages"][0] == {"name": "申请", "state": "done", "date": "2026-09-29"}
    assert set(body["stages"][2]) == {"name", "state", "expected_date"}
    assert body["clock_stopped_reason"] == ""
    assert identity.person.name not in str(body["stages"])


def test_a_rejected_case_ends_at_acceptance():
    dept = f.department("江门市民政局")
    case = f.submitted(f.item(dept))
    handling.reject(case, f.staff(Post.CLERK, dept), reason="不属于本部门职权范围")
    case.refresh_from_db()
    line = timeline.build(case)
    assert [(s.name, s.state) for s in line.stages] == [("申请", "done"), ("受理", "done")]
