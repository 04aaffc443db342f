"""The monthly public disclosure (监督栏目) of one region and month: supervision results,
complaints, ratings, case results (办件公示) and items entered — aggregates only, no
personal data: applicant names are masked as Chinese practice does (陈**), complaints
appear only as counts.

Everything is computed from supervision's own tables and the process records, so the
page changes the moment a card closes or a complaint is answered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from govhall.catalog.models import Item, ItemVersion
from govhall.core.errors import refuse
from govhall.records.models import ProcessRecord
from govhall.regions.models import Region

from ..models import Card, Complaint, ComplaintState, Rule, Warning, WarningState

CASE_ROWS = 100  # 公示 rows per page of the disclosure
SATISFIED = (1, 2, 3)  # 非常满意、满意、基本满意
DISCOUNTED = (WarningState.WITHDRAWN, WarningState.DISMISSED)


@dataclass(frozen=True)
class Period:
    month: datetime.date  # first day

    @classmethod
    def parse(cls, value: str | None) -> Period:
        text = (value or "").strip()
        if not text:
            today = timezone.localdate()
            return cls(today.replace(day=1))
        try:
            month = datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise refuse(
                "period", "format", "“月份”（period）须为YYYY-MM格式，如2026-11。"
            ) from None
        if not 2000 <= month.year <= 2100:
            raise refuse("period", "range", "“月份”（period）须在2000年至2100年之间。")
        return cls(month)

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        start = self.month
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        tz = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(start, datetime.time(), tzinfo=tz),
            datetime.datetime.combine(end, datetime.time(), tzinfo=tz),
        )


def mask_name(name: str) -> str:
    """陈志明 → 陈**; a company keeps its name (公开的办件结果)."""
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) > 4 and any(mark in name for mark in ("公司", "中心", "合作社", "厂", "店")):
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def region_or_refuse(code: str) -> Region:
    code = (code or "").strip()
    if not code:
        raise refuse("region", "required", "请指定区划代码（region）。")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise refuse("region", "not_found", "区划不存在，请填写区划代码（如440700）。")
    return region


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def warnings_part(region: Region, period: Period) -> dict:
    start, end = period.bounds
    rows = Warning.objects.filter(
        region_code__startswith=region.prefix, raised_at__gte=start, raised_at__lt=end
    ).exclude(state__in=DISCOUNTED)
    cards = dict(rows.values_list("card").annotate(n=Count("pk")).values_list("card", "n"))
    names = dict(Rule.objects.filter(region_code="").values_list("code", "name"))
    by_rule = [
        {
            "code": r["rule_code"],
            "name": names.get(r["rule_code"], r["rule__name"]),
            "yellow": r["yellow"],
            "red": r["red"],
            "count": r["count"],
        }
        for r in rows.values("rule_code", "rule__name")
        .annotate(
            count=Count("pk"),
            yellow=Count("pk", filter=Q(card=Card.YELLOW)),
            red=Count("pk", filter=Q(card=Card.RED)),
        )
        .order_by("rule_code")
    ]
    total = sum(cards.values())
    closed = rows.filter(state=WarningState.CLOSED).count()
    return {
        "total": total,
        "yellow": cards.get(Card.YELLOW, 0),
        "red": cards.get(Card.RED, 0),
        "by_rule": by_rule,
        "rectified": closed,
        "rectified_share": _share(closed, total),
    }


def complaints_part(region: Region, period: Period) -> dict:
    start, end = period.bounds
    rows = Complaint.objects.filter(
        region_code__startswith=region.prefix, received_at__gte=start, received_at__lt=end
    )
    figures = rows.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=~Q(state=ComplaintState.HANDLING)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        satisfied=Count("pk", filter=Q(rating__in=SATISFIED)),
    )
    on_time = sum(
        1
        for answered_at, due in rows.filter(answered_at__isnull=False).values_list(
            "answered_at", "due_date"
        )
        if timezone.localdate(answered_at) <= due
    )
    return {
        **figures,
        "on_time": on_time,
        "on_time_share": _share(on_time, figures["answered"]),
        "satisfaction": _share(figures["satisfied"], figures["rated"]),
    }


def ratings_part(region: Region, period: Period) -> dict:
    """The 好差评 of the month from the rating records (local and pushed alike)."""
    from .followups import followup_figures

    start, end = period.bounds
    levels = {str(level): 0 for level in range(1, 6)}
    for payload in ProcessRecord.objects.filter(
        event="rate",
        region_code__startswith=region.prefix,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).values_list("payload", flat=True):
        level = str(((payload or {}).get("details") or {}).get("level") or "")
        if level in levels:
            levels[level] += 1
    total = sum(levels.values())
    bad = levels["4"] + levels["5"]
    return {
        "total": total,
        "by_level": levels,
        "bad": bad,
        "satisfaction": _share(total - bad, total),
        **followup_figures(region, period),
    }


def cases_part(region: Region, period: Period, page: int = 1) -> dict:
    """办件公示: cases concluded in the month, applicant names masked."""
    start, end = period.bounds
    conclusions = ProcessRecord.objects.filter(
        event="conclude",
        region_code__startswith=region.prefix,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).order_by("occurred_at", "pk")
    count = conclusions.count()
    page = max(page, 1)
    rows = list(conclusions[(page - 1) * CASE_ROWS : page * CASE_ROWS])
    numbers = [r.case_number for r in rows]
    firsts: dict[tuple[str, str], dict] = {}
    for record in ProcessRecord.objects.filter(
        case_number__in=numbers, event__in=("submit", "accept")
    ).order_by("occurred_at", "pk"):
        entry = firsts.setdefault((record.case_number, record.implementation_code), {})
        if record.event == "submit" and "applicant" not in entry:
            entry["applicant"] = ((record.payload or {}).get("applicant") or {}).get("name", "")
        if record.event == "accept" and "accepted_at" not in entry:
            entry["accepted_at"] = record.occurred_at
    results = []
    for record in rows:
        payload = record.payload or {}
        details = payload.get("details") or {}
        entry = firsts.get((record.case_number, record.implementation_code), {})
        accepted = entry.get("accepted_at")
        results.append(
            {
                "case_number": record.case_number,
                "item_name": payload.get("item_name", ""),
                "department": (payload.get("department") or {}).get("name", ""),
                "applicant": mask_name(entry.get("applicant", "")),
                "accepted_on": timezone.localdate(accepted).isoformat() if accepted else None,
                "concluded_on": timezone.localdate(record.occurred_at).isoformat(),
                "result": "准予" if details.get("decision", "approve") == "approve" else "不予",
            }
        )
    return {"count": count, "page": page, "page_size": CASE_ROWS, "results": results}


def items_part(region: Region, period: Period) -> dict:
    start, end = period.bounds
    published = ItemVersion.objects.filter(
        item__region__code__startswith=region.prefix,
        published_at__gte=start,
        published_at__lt=end,
    )
    return {
        "published": published.count(),
        "new_items": published.filter(number=1).count(),
        "in_force": Item.objects.filter(
            region__code__startswith=region.prefix, current__isnull=False
        ).count(),
    }


def disclosure(region: Region, period: Period, *, page: int = 1) -> dict:
    return {
        "region": {"code": region.code, "name": region.name},
        "period": period.label,
        "warnings": warnings_part(region, period),
        "complaints": complaints_part(region, period),
        "ratings": ratings_part(region, period),
        "cases": cases_part(region, period, page),
        "items_entered": items_part(region, period),
        "scores": scores_part(region, period),
    }


def scores_part(region: Region, period: Period) -> list[dict]:
    """绩效考评 of the region's own departments for the month (totals and rank)."""
    from .scoring import Span, department_scores

    span = Span(period.label, *(b.date() for b in period.bounds))
    return [
        {"department": s.name, "code": s.code, "total": float(s.total), "rank": s.rank}
        for s in department_scores(region, span)
    ]
