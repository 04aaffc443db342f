"""绩效考评: monthly and quarterly scores per department and per region, from the rules
in ``ScoringRule`` (weights and formulas as data), with the trace behind every point.

The formula, per indicator with weight W:

* ``rate`` — score = W × numerator ÷ denominator, rounded to two decimals; W in full
  when the denominator is 0 (nothing to count is nothing done wrong).
* ``deduction`` — score = max(0, W − red × points_per_red − yellow × points_per_yellow).

What each indicator counts, over the period (cases by their conclusion, warnings by the
day they were raised, complaints by the day received, ratings by the day given):

* on_time — concluded cases with a known promised limit; numerator: concluded on or
  before it.
* warning_deduction — yellow and red cards (withdrawn and upheld disputes excluded).
* warning_rectified — those cards; numerator: closed by the supervising body.
* complaint_on_time — answered complaints; numerator: answered by their due date.
* complaint_satisfaction — rated answers; numerator: rated 1–3.
* rating_satisfaction — ratings; numerator: 1–3 (not 不满意 / 非常不满意).
* follow_up_rectified — bad ratings followed up; numerator: rectified (or re-rated).

A department's total is the sum of its indicator scores; a region's is computed the same
way over everything of its departments and the regions below it. Rank: by total, high
first (ties share a rank).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from govhall.core.errors import refuse
from govhall.records.models import ProcessRecord
from govhall.regions.models import PREFIX_LENGTH, Department, Level, Region

from ..models import (
    Card,
    CaseWatch,
    Complaint,
    FollowUpState,
    Indicator,
    RatingFollowUp,
    ScoringRule,
    Warning,
    WarningState,
)
from .disclosure import DISCOUNTED, SATISFIED

TWO = Decimal("0.01")
SEED = (
    (Indicator.ON_TIME, "30", ScoringRule.Kind.RATE, "0", "0"),
    (Indicator.WARNING_DEDUCTION, "20", ScoringRule.Kind.DEDUCTION, "2", "1"),
    (Indicator.WARNING_RECTIFIED, "10", ScoringRule.Kind.RATE, "0", "0"),
    (Indicator.COMPLAINT_ON_TIME, "10", ScoringRule.Kind.RATE, "0", "0"),
    (Indicator.COMPLAINT_SATISFACTION, "10", ScoringRule.Kind.RATE, "0", "0"),
    (Indicator.RATING_SATISFACTION, "10", ScoringRule.Kind.RATE, "0", "0"),
    (Indicator.FOLLOW_UP_RECTIFIED, "10", ScoringRule.Kind.RATE, "0", "0"),
)
# Not in force by default (the seeded weights already make 100): a region that scores
# against its monitoring targets adds its own active version and rebalances the weights.
INACTIVE_SEED = ((Indicator.MONITORING_TARGETS, "10", ScoringRule.Kind.RATE, "0", "0"),)
BASIS = "《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》（国办发〔2019〕51号）"


def ensure_seeded() -> int:
    made = 0
    for rows, active in ((SEED, True), (INACTIVE_SEED, False)):
        for indicator, weight, kind, red, yellow in rows:
            _, created = ScoringRule.objects.get_or_create(
                indicator=indicator,
                region_code="",
                version=1,
                defaults={
                    "weight": Decimal(weight),
                    "kind": kind,
                    "points_per_red": Decimal(red),
                    "points_per_yellow": Decimal(yellow),
                    "basis": BASIS if active else "各地三率一数目标（数据监测）",
                    "is_active": active,
                },
            )
            made += created
    return made


def rules_for(region_code: str) -> list[ScoringRule]:
    """The newest active version of each indicator for this region (longest region)."""
    if not ScoringRule.objects.exists():
        ensure_seeded()
    rules = list(ScoringRule.objects.all())
    prefixes = {
        r.code: r.prefix
        for r in Region.objects.filter(code__in={x.region_code for x in rules if x.region_code})
    }
    chosen: dict[str, ScoringRule] = {}
    for rule in sorted(
        rules,
        key=lambda r: (len(prefixes.get(r.region_code, r.region_code)), r.version),
        reverse=True,
    ):
        prefix = prefixes.get(rule.region_code, rule.region_code)
        if rule.indicator not in chosen and region_code.startswith(prefix):
            chosen[rule.indicator] = rule
    order = list(Indicator.values)
    return sorted(
        (r for r in chosen.values() if r.is_active), key=lambda r: order.index(r.indicator)
    )


@dataclass(frozen=True)
class Span:
    """A month (YYYY-MM) or a quarter (YYYY-Qn)."""

    label: str
    start: datetime.date
    end: datetime.date  # exclusive

    @classmethod
    def parse(cls, value: str | None) -> Span:
        text = (value or "").strip().upper()
        if not text:
            today = timezone.localdate()
            text = f"{today:%Y-%m}"
        try:
            if "-Q" in text:
                year, quarter = text.split("-Q")
                year, quarter = int(year), int(quarter)
                if not 1 <= quarter <= 4:
                    raise ValueError
                start = datetime.date(year, 3 * quarter - 2, 1)
                end = (
                    datetime.date(year + 1, 1, 1)
                    if quarter == 4
                    else datetime.date(year, 3 * quarter + 1, 1)
                )
            else:
                start = datetime.datetime.strptime(text, "%Y-%m").date()
                end = (start + datetime.timedelta(days=32)).replace(day=1)
        except ValueError:
            raise refuse(
                "period", "format", "“考评期”（period）须为YYYY-MM（月度）或YYYY-Qn（季度）。"
            ) from None
        if not 2000 <= start.year <= 2100:
            raise refuse("period", "range", "“考评期”（period）须在2000年至2100年之间。")
        return cls(text, start, end)

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time(), tzinfo=tz),
            datetime.datetime.combine(self.end, datetime.time(), tzinfo=tz),
        )


@dataclass
class Line:
    """One indicator of one unit: what was counted, the points, and the trace."""

    indicator: str
    name: str
    weight: Decimal
    kind: str
    numerator: int = 0
    denominator: int = 0
    red: int = 0
    yellow: int = 0
    score: Decimal = Decimal(0)
    trace: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "indicator": self.indicator,
            "name": self.name,
            "weight": float(self.weight),
            "kind": self.kind,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "red": self.red,
            "yellow": self.yellow,
            "score": float(self.score),
            "trace": self.trace,
        }


@dataclass
class Score:
    kind: str  # "department" or "region"
    code: str
    name: str
    lines: list[Line]
    rank: int = 0

    @property
    def total(self) -> Decimal:
        return sum((line.score for line in self.lines), Decimal(0))

    def as_dict(self, *, trace: bool = True) -> dict:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "total": float(self.total),
            "rank": self.rank,
            "indicators": [
                {**line.as_dict(), **({} if trace else {"trace": {}})} for line in self.lines
            ],
        }


def _rate(line: Line) -> Decimal:
    if not line.denominator:
        return line.weight.quantize(TWO)
    value = line.weight * Decimal(line.numerator) / Decimal(line.denominator)
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def _deduct(line: Line, rule: ScoringRule) -> Decimal:
    value = line.weight - line.red * rule.points_per_red - line.yellow * rule.points_per_yellow
    return max(Decimal(0), value).quantize(TWO)


def _unit_filter(codes: set[str] | None, prefix: str | None, field_name: str, region_field: str):
    if codes is not None:
        return Q(**{f"{field_name}__in": codes})
    return Q(**{f"{region_field}__startswith": prefix})


def score_unit(
    span: Span,
    rules: list[ScoringRule],
    *,
    kind: str,
    code: str,
    name: str,
    department_codes: set[str] | None = None,
    region_prefix: str | None = None,
) -> Score:
    """The score of one department (``department_codes``) or region (``region_prefix``)."""
    start, end = span.bounds
    lines = []
    for rule in rules:
        line = Line(rule.indicator, Indicator(rule.indicator).label, rule.weight, rule.kind)
        _COUNTERS[rule.indicator](line, start, end, department_codes, region_prefix)
        line.score = _deduct(line, rule) if rule.kind == ScoringRule.Kind.DEDUCTION else _rate(line)
        lines.append(line)
    return Score(kind, code, name, lines)


def _on_time(line, start, end, codes, prefix):
    where = _unit_filter(codes, prefix, "department_code", "region_code")
    conclusions = ProcessRecord.objects.filter(
        where, event="conclude", occurred_at__gte=start, occurred_at__lt=end
    ).values_list("case_number", "implementation_code", "occurred_at")
    rows = list(conclusions)
    dues = {
        (w.case_number, w.implementation_code): w.promised_due
        for w in CaseWatch.objects.filter(case_number__in={r[0] for r in rows})
    }
    late, ok = [], []
    for number, code, at in rows:
        due = dues.get((number, code))
        if due is None:
            continue
        (ok if timezone.localdate(at) <= due else late).append(number)
    line.numerator, line.denominator = len(ok), len(ok) + len(late)
    line.trace = {"on_time": sorted(ok), "late": sorted(late)}


def _warnings(start, end, codes, prefix):
    where = _unit_filter(codes, prefix, "department_code", "region_code")
    return Warning.objects.filter(where, raised_at__gte=start, raised_at__lt=end).exclude(
        state__in=DISCOUNTED
    )


def _warning_deduction(line, start, end, codes, prefix):
    rows = list(_warnings(start, end, codes, prefix).values_list("pk", "card"))
    red = [str(pk) for pk, card in rows if card == Card.RED]
    yellow = [str(pk) for pk, card in rows if card == Card.YELLOW]
    line.red, line.yellow = len(red), len(yellow)
    line.trace = {"red_warnings": red, "yellow_warnings": yellow}


def _warning_rectified(line, start, end, codes, prefix):
    rows = list(_warnings(start, end, codes, prefix).values_list("pk", "state"))
    closed = [str(pk) for pk, state in rows if state == WarningState.CLOSED]
    line.numerator, line.denominator = len(closed), len(rows)
    line.trace = {
        "closed_warnings": closed,
        "open_warnings": [str(pk) for pk, state in rows if state != WarningState.CLOSED],
    }


def _complaints(start, end, codes, prefix):
    where = _unit_filter(codes, prefix, "department__credit_code", "region_code")
    return Complaint.objects.filter(where, received_at__gte=start, received_at__lt=end)


def _complaint_on_time(line, start, end, codes, prefix):
    rows = _complaints(start, end, codes, prefix).filter(answered_at__isnull=False)
    ok, late = [], []
    for number, answered_at, due in rows.values_list("number", "answered_at", "due_date"):
        (ok if timezone.localdate(answered_at) <= due else late).append(number)
    line.numerator, line.denominator = len(ok), len(ok) + len(late)
    line.trace = {"on_time": sorted(ok), "late": sorted(late)}


def _complaint_satisfaction(line, start, end, codes, prefix):
    rows = list(
        _complaints(start, end, codes, prefix)
        .filter(rating__isnull=False)
        .values_list("number", "rating")
    )
    happy = [n for n, r in rows if r in SATISFIED]
    line.numerator, line.denominator = len(happy), len(rows)
    line.trace = {
        "satisfied": sorted(happy),
        "dissatisfied": sorted(n for n, r in rows if r not in SATISFIED),
    }


def _rating_satisfaction(line, start, end, codes, prefix):
    where = _unit_filter(codes, prefix, "department_code", "region_code")
    happy, unhappy = [], []
    for number, payload in ProcessRecord.objects.filter(
        where, event="rate", occurred_at__gte=start, occurred_at__lt=end
    ).values_list("case_number", "payload"):
        try:
            level = int(((payload or {}).get("details") or {}).get("level"))
        except (TypeError, ValueError):
            continue
        if level in SATISFIED:
            happy.append(number)
        elif level in (4, 5):
            unhappy.append(number)
    line.numerator, line.denominator = len(happy), len(happy) + len(unhappy)
    line.trace = {"satisfied": sorted(happy), "dissatisfied": sorted(unhappy)}


def _follow_up_rectified(line, start, end, codes, prefix):
    where = _unit_filter(codes, prefix, "department_code", "region_code")
    rows = list(
        RatingFollowUp.objects.filter(where, rated_at__gte=start, rated_at__lt=end).values_list(
            "case_number", "state"
        )
    )
    done = [n for n, s in rows if s in (FollowUpState.RECTIFIED, FollowUpState.CLOSED)]
    line.numerator, line.denominator = len(done), len(rows)
    line.trace = {
        "rectified": sorted(done),
        "pending": sorted(
            n for n, s in rows if s not in (FollowUpState.RECTIFIED, FollowUpState.CLOSED)
        ),
    }


_monitoring: dict[tuple, dict] = {}


def _month_range(start: datetime.datetime, end: datetime.datetime):
    first = timezone.localdate(start).replace(day=1)
    last = (timezone.localdate(end) - datetime.timedelta(days=1)).replace(day=1)
    return first, last


def _monitoring_figures(start, end, codes, prefix) -> dict:
    """The monitoring figures (with targets) of one department or region, from the
    roll-ups; cached per run (a region's departments come from one query set)."""
    from govhall.monitoring.services import indicators as mon

    first, last = _month_range(start, end)
    if codes is not None:
        department = Department.objects.filter(credit_code__in=codes).first()
        if department is None:
            return {}
        key = ("departments", department.region_id, first, last)
        if key not in _monitoring:
            units = mon.department_units(
                mon.Slice(first, last, region_code=department.region_id, item_type="")
            )
            _monitoring[key] = {unit.code: unit.figures for unit in units}
        return _monitoring[key].get(department.credit_code, {})
    region = Region.objects.filter(code__startswith=prefix).order_by("code").first()
    if region is None:
        return {}
    key = ("region", region.code, first, last)
    if key not in _monitoring:
        own, _ = mon.overview(mon.Slice(first, last, region_code=region.code, item_type=""))
        _monitoring[key] = own
    return _monitoring[key]


def _monitoring_targets(line, start, end, codes, prefix):
    figures = _monitoring_figures(start, end, codes, prefix)
    met = sorted(code for code, f in figures.items() if f.status == "met")
    below = sorted(code for code, f in figures.items() if f.status == "below")
    line.numerator, line.denominator = len(met), len(met) + len(below)
    line.trace = {"met": met, "below": below}


_COUNTERS = {
    Indicator.ON_TIME: _on_time,
    Indicator.WARNING_DEDUCTION: _warning_deduction,
    Indicator.WARNING_RECTIFIED: _warning_rectified,
    Indicator.COMPLAINT_ON_TIME: _complaint_on_time,
    Indicator.COMPLAINT_SATISFACTION: _complaint_satisfaction,
    Indicator.RATING_SATISFACTION: _rating_satisfaction,
    Indicator.FOLLOW_UP_RECTIFIED: _follow_up_rectified,
    Indicator.MONITORING_TARGETS: _monitoring_targets,
}


def _ranked(scores: list[Score]) -> list[Score]:
    scores.sort(key=lambda s: (-s.total, s.code))
    previous, rank = None, 0
    for position, score in enumerate(scores, start=1):
        if score.total != previous:
            rank, previous = position, score.total
        score.rank = rank
    return scores


def department_scores(region: Region, span: Span) -> list[Score]:
    """Every active department of the region itself, ranked."""
    _monitoring.clear()
    rules = rules_for(region.code)
    departments = Department.objects.filter(region=region, is_active=True).order_by("pk")
    return _ranked(
        [
            score_unit(
                span,
                rules,
                kind="department",
                code=d.credit_code,
                name=d.name,
                department_codes={d.credit_code},
            )
            for d in departments
        ]
    )


def region_scores(region: Region, span: Span) -> list[Score]:
    """The regions directly below ``region`` (cities of the province, counties of a
    city…), each over everything within it, ranked."""
    _monitoring.clear()
    children = Region.objects.filter(parent=region).order_by("code")
    scores = []
    for child in children:
        prefix = child.code[: PREFIX_LENGTH[Level(child.level)]]
        scores.append(
            score_unit(
                span,
                rules_for(child.code),
                kind="region",
                code=child.code,
                name=child.name,
                region_prefix=prefix,
            )
        )
    return _ranked(scores)


def one_department(department: Department, span: Span) -> Score:
    _monitoring.clear()
    return score_unit(
        span,
        rules_for(department.region_id),
        kind="department",
        code=department.credit_code,
        name=department.name,
        department_codes={department.credit_code},
    )
