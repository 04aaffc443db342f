"""绩效考评 on a hand-built data set: two departments, every figure computed by hand
from the rule weights, with the trace behind each point."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from govhall.regions.models import Department, Post, Region

from ..models import (
    Card,
    CaseWatch,
    Complaint,
    FollowUpState,
    Indicator,
    RatingFollowUp,
    Rule,
    ScoringRule,
    Warning,
    WarningState,
)
from ..services import scoring
from . import helpers as h

pytestmark = pytest.mark.django_db
SPAN = scoring.Span.parse("2026-11")


def at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=h.SHANGHAI)


def conclude(number, department, day, promised_due):
    h.local_record(
        number,
        department,
        "conclude",
        "4",
        at(day),
        state="concluded",
        details={"conclusion_code": "0"},
    )
    CaseWatch.objects.update_or_create(
        case_number=number,
        implementation_code=f"{department.credit_code}XK00000001",
        defaults={
            "region_code": department.region_id,
            "department_code": department.credit_code,
            "promised_due": promised_due,
            "is_open": False,
        },
    )


def warning(department, number, card, state, day=5):
    rule = Rule.objects.get(code="SX03" if card == Card.RED else "SX02", region_code="")
    return Warning.objects.create(
        rule=rule,
        rule_code=rule.code,
        card=card,
        category=rule.category,
        case_number=number,
        implementation_code="X",
        step_key="case",
        region_code=department.region_id,
        department_code=department.credit_code,
        detail="测试",
        raised_at=at(day),
        due_date=datetime.date(2026, 11, 20),
        state=state,
    )


def complaint(
    department, number, *, answered_day=None, due=datetime.date(2026, 11, 20), rating=None
):
    return Complaint.objects.create(
        number=number,
        query_code_hash="x",
        subject="department",
        region_code=department.region_id,
        department=department,
        content="测试投诉内容",
        received_at=at(3),
        due_date=due,
        answered_at=at(answered_day) if answered_day else None,
        state="rated" if rating else ("answered" if answered_day else "handling"),
        answer="已处理" if answered_day else "",
        rating=rating,
    )


def rating(department, number, level, day=10):
    h.local_record(
        number, department, "rate", "R", at(day), state="concluded", details={"level": level}
    )


def follow_up(department, number, state):
    import uuid

    return RatingFollowUp.objects.create(
        record_id=uuid.uuid4(),
        case_number=number,
        implementation_code="X",
        region_code=department.region_id,
        department_code=department.credit_code,
        level=4,
        rated_at=at(10),
        callback_due=at(11),
        rectify_due=datetime.date(2026, 12, 1),
        state=state,
    )


@pytest.fixture
def two():
    a = h.civil_affairs()
    b = (
        Department.objects.filter(region_id=h.PENGJIANG, is_active=True)
        .exclude(pk=a.pk)
        .order_by("pk")
        .first()
    )
    # A: 4 conclusions with a limit, 3 on time; B: 2 conclusions, both late.
    conclude("A1", a, 5, datetime.date(2026, 11, 6))
    conclude("A2", a, 6, datetime.date(2026, 11, 6))
    conclude("A3", a, 7, datetime.date(2026, 11, 30))
    conclude("A4", a, 9, datetime.date(2026, 11, 6))  # late
    conclude("B1", b, 9, datetime.date(2026, 11, 2))
    conclude("B2", b, 10, datetime.date(2026, 11, 2))
    # A: 1 red (closed), 2 yellow (1 closed), 1 withdrawn (not counted); B: 3 red open.
    warning(a, "A1", Card.RED, WarningState.CLOSED)
    warning(a, "A2", Card.YELLOW, WarningState.CLOSED)
    warning(a, "A3", Card.YELLOW, WarningState.RAISED)
    warning(a, "A4", Card.RED, WarningState.WITHDRAWN)
    for n in ("B1", "B2", "B3"):
        warning(b, n, Card.RED, WarningState.RAISED)
    # Complaints: A — 2 answered, 1 on time, 1 late; ratings 1 and 5. B: none.
    complaint(a, "TSA1", answered_day=10, rating=1)
    complaint(a, "TSA2", answered_day=25, rating=5)
    # Ratings: A 3 good + 1 bad; B 1 bad.
    for n, level in (("A1", 1), ("A2", 2), ("A3", 3), ("A4", 5)):
        rating(a, n, level)
    rating(b, "B1", 4)
    # Follow-ups: A 1 closed; B 1 open.
    follow_up(a, "A4", FollowUpState.CLOSED)
    follow_up(b, "B1", FollowUpState.OPEN)
    # Outside the month: never counted.
    h.local_record("A9", a, "conclude", "4", datetime.datetime(2026, 10, 31, 23, tzinfo=h.SHANGHAI))
    return a, b


def lines(score):
    return {line.indicator: line for line in score.lines}


def test_scores_equal_the_hand_computed_values(two):
    a, b = two
    sa = scoring.one_department(a, SPAN)
    la = lines(sa)
    assert (la["on_time"].numerator, la["on_time"].denominator) == (3, 4)
    assert la["on_time"].score == Decimal("22.50")  # 30 × 3/4
    assert la["on_time"].trace == {"on_time": ["A1", "A2", "A3"], "late": ["A4"]}
    assert (la["warning_deduction"].red, la["warning_deduction"].yellow) == (1, 2)
    assert la["warning_deduction"].score == Decimal("16.00")  # 20 − 1×2 − 2×1
    assert la["warning_rectified"].score == Decimal("6.67")  # 10 × 2/3
    assert la["complaint_on_time"].score == Decimal("5.00")  # 10 × 1/2
    assert la["complaint_on_time"].trace == {"on_time": ["TSA1"], "late": ["TSA2"]}
    assert la["complaint_satisfaction"].score == Decimal("5.00")
    assert la["rating_satisfaction"].score == Decimal("7.50")  # 10 × 3/4
    assert la["follow_up_rectified"].score == Decimal("10.00")
    assert sa.total == Decimal("72.67")
    sb = scoring.one_department(b, SPAN)
    lb = lines(sb)
    assert lb["on_time"].score == Decimal("0.00")
    assert lb["warning_deduction"].score == Decimal("14.00")  # 20 − 3×2
    assert lb["warning_rectified"].score == Decimal("0.00")
    assert lb["complaint_on_time"].score == Decimal("10.00")  # nothing to count: full
    assert lb["complaint_satisfaction"].score == Decimal("10.00")
    assert lb["rating_satisfaction"].score == Decimal("0.00")
    assert lb["follow_up_rectified"].score == Decimal("0.00")
    assert sb.total == Decimal("34.00")
    assert len(lb["warning_deduction"].trace["red_warnings"]) == 3
    ranked = scoring.department_scores(Region.objects.get(code=h.PENGJIANG), SPAN)
    by_code = {s.code: s for s in ranked}
    assert by_code[b.credit_code].rank > by_code[a.credit_code].rank
    assert by_code[a.credit_code].total == Decimal("72.67")


def test_weights_are_data_per_region(two):
    a, _ = two
    base = ScoringRule.objects.get(indicator=Indicator.ON_TIME, region_code="")
    ScoringRule.objects.create(
        indicator=Indicator.ON_TIME,
        region_code="440700",
        version=1,
        weight=Decimal("40"),
        kind=base.kind,
    )
    assert lines(scoring.one_department(a, SPAN))["on_time"].score == Decimal("30.00")  # 40×3/4
    chaozhou = Department.objects.filter(region_id=h.CHAOZHOU).first()
    assert lines(scoring.one_department(chaozhou, SPAN))["on_time"].weight == Decimal("30")


def test_region_scores_and_quarter(two):
    city = Region.objects.get(code="440700")
    counties = {s.code: s for s in scoring.region_scores(city, SPAN)}
    pengjiang = counties[h.PENGJIANG]
    assert lines(pengjiang)["on_time"].denominator == 6
    quarter = scoring.Span.parse("2026-Q4")
    assert (quarter.start, quarter.end) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    in_quarter = {s.code: s for s in scoring.region_scores(city, quarter)}
    # October's A9 has no known limit: counted in neither numerator nor denominator.
    assert lines(in_quarter[h.PENGJIANG])["on_time"].denominator == 6
    with pytest.raises(Exception) as caught:
        scoring.Span.parse("2026-Q5")
    assert caught.value.field == "period"


def test_scores_api_scope(two):
    a, b = two
    supervisor = Client()
    supervisor.force_login(h.supervisor_of("440700"))
    body = supervisor.get(
        "/api/v1/supervision/scores", {"region": h.PENGJIANG, "period": "2026-11"}
    ).json()
    totals = {r["code"]: r["total"] for r in body["results"]}
    assert totals[a.credit_code] == 72.67 and totals[b.credit_code] == 34.0
    assert (
        supervisor.get(
            "/api/v1/supervision/scores", {"region": h.CHAOZHOU, "period": "2026-11"}
        ).status_code
        == 404
    )
    clerk = Client()
    clerk.force_login(h.staff(Post.CLERK, a))
    assert (
        clerk.get(
            "/api/v1/supervision/scores", {"region": h.PENGJIANG, "period": "2026-11"}
        ).status_code
        == 404
    )
    own = clerk.get(
        "/api/v1/supervision/scores", {"department": a.credit_code, "period": "2026-11"}
    ).json()
    assert own["results"][0]["total"] == 72.67
    assert own["results"][0]["indicators"][0]["trace"]["late"] == ["A4"]
    assert (
        clerk.get(
            "/api/v1/supervision/scores", {"department": b.credit_code, "period": "2026-11"}
        ).status_code
        == 404
    )
    page = clerk.get(f"/workbench/supervision/scores/departments/{a.credit_code}/?period=2026-11")
    assert "72.67" in page.content.decode()


def test_quarterly_report_pdf(two):
    supervisor = Client()
    supervisor.force_login(h.supervisor_of("440700"))
    response = supervisor.get(f"/workbench/supervision/scores/report/{h.PENGJIANG}/2026-Q4.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        supervisor.get(f"/workbench/supervision/scores/report/{h.CHAOZHOU}/2026-Q4.pdf").status_code
        == 404
    )
    clerk = Client()
    clerk.force_login(h.staff(Post.CLERK, two[0]))
    assert (
        clerk.get(f"/workbench/supervision/scores/report/{h.PENGJIANG}/2026-Q4.pdf").status_code
        == 404
    )
    page = supervisor.get(f"/workbench/supervision/scores/?region={h.PENGJIANG}&period=2026-Q4")
    assert "2026-Q4.pdf" in page.content.decode()


def test_monitoring_targets_indicator_when_a_region_enables_it(two):
    """Not in force by default; once enabled its points follow the monitoring figures
    that met or missed their targets."""
    from govhall.monitoring.services import indicators as mon
    from govhall.monitoring.services import refresh

    a, _ = two
    base = ScoringRule.objects.get(indicator=Indicator.MONITORING_TARGETS, region_code="")
    assert not base.is_active
    assert Indicator.MONITORING_TARGETS not in lines(scoring.one_department(a, SPAN))
    ScoringRule.objects.create(
        indicator=Indicator.MONITORING_TARGETS,
        region_code=h.PENGJIANG,
        version=1,
        weight=Decimal("10"),
        kind=ScoringRule.Kind.RATE,
    )
    refresh.refresh()
    line = lines(scoring.one_department(a, SPAN))[Indicator.MONITORING_TARGETS]
    month = datetime.date(2026, 11, 1)
    units = mon.department_units(mon.Slice(month, month, region_code=h.PENGJIANG, item_type=""))
    figures = next(u.figures for u in units if u.code == a.credit_code)
    met = sorted(c for c, f in figures.items() if f.status == "met")
    below = sorted(c for c, f in figures.items() if f.status == "below")
    assert line.trace == {"met": met, "below": below}
    expected = Decimal("10") * len(met) / (len(met) + len(below)) if met or below else Decimal("10")
    assert line.score == expected.quantize(Decimal("0.01"))
