"""Reading warnings with the filters the staff pages and the API share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from govhall.core.errors import Problem, Refusal
from govhall.regions.models import Region

from ..models import OPEN_WARNING_STATES, Card, Category, Warning, WarningState
from . import access

STATE_GROUPS = {"open": OPEN_WARNING_STATES}


@dataclass(frozen=True)
class WarningFilter:
    region: str = ""
    department: str = ""
    case_number: str = ""
    card: str = ""
    state: str = ""
    category: str = ""
    rule: str = ""

    @classmethod
    def parse(cls, params) -> WarningFilter:
        """From query parameters; every bad value is named at once."""
        values = {name: (params.get(name) or "").strip() for name in cls.__dataclass_fields__}
        problems = []
        if values["region"] and not (values["region"].isdigit() and len(values["region"]) <= 12):
            problems.append(Problem("region", "format", "“区划”（region）须为区划代码。"))
        if values["department"] and len(values["department"]) != 18:
            problems.append(
                Problem("department", "format", "“部门”（department）须为18位统一社会信用代码。")
            )
        if len(values["case_number"]) > 40:
            problems.append(Problem("case_number", "max_length", "办件编号不能超过40个字符。"))
        if values["card"] and values["card"] not in Card.values:
            problems.append(Problem("card", "choice", "“预警等级”（card）须为yellow或red。"))
        if values["state"] and values["state"] not in (*WarningState.values, *STATE_GROUPS):
            problems.append(
                Problem(
                    "state",
                    "choice",
                    "“状态”（state）须为open、" + "、".join(WarningState.values) + "之一。",
                )
            )
        if values["category"] and values["category"] not in Category.values:
            problems.append(
                Problem("category", "choice", "“类别”（category）须为time、content或process。")
            )
        if len(values["rule"]) > 40:
            problems.append(Problem("rule", "max_length", "规则编码不能超过40个字符。"))
        if problems:
            raise Refusal(problems)
        return cls(**values)

    def apply(self, queryset: QuerySet[Warning]) -> QuerySet[Warning]:
        if self.region:
            region = Region.objects.filter(code=self.region).first()
            prefix = region.prefix if region else self.region
            queryset = queryset.filter(region_code__startswith=prefix)
        if self.department:
            queryset = queryset.filter(department_code=self.department)
        if self.case_number:
            queryset = queryset.filter(case_number=self.case_number)
        if self.card:
            queryset = queryset.filter(card=self.card)
        if self.state in STATE_GROUPS:
            queryset = queryset.filter(state__in=STATE_GROUPS[self.state])
        elif self.state:
            queryset = queryset.filter(state=self.state)
        if self.category:
            queryset = queryset.filter(category=self.category)
        if self.rule:
            queryset = queryset.filter(rule_code=self.rule)
        return queryset


def visible(user, flt: WarningFilter | None = None) -> QuerySet[Warning]:
    queryset = access.warnings_for(user).select_related("rule")
    return (flt or WarningFilter()).apply(queryset)


def counts(queryset: QuerySet[Warning]) -> dict[str, int]:
    """Open yellow and red cards, and those past their due date (the home page's figures)."""
    from .detection import today

    open_ = queryset.filter(state__in=OPEN_WARNING_STATES)
    figures = open_.aggregate(
        yellow=Count("pk", filter=Q(card=Card.YELLOW)),
        red=Count("pk", filter=Q(card=Card.RED)),
        overdue=Count("pk", filter=Q(due_date__lt=today(), state__in=["raised", "rectifying"])),
    )
    return {k: v or 0 for k, v in figures.items()}


def ranking(queryset: QuerySet[Warning]) -> list[dict]:
    """Departments by open red, then yellow cards (the supervisor's map-free ranking)."""
    rows = (
        queryset.values("department_code", "department_name", "region_code")
        .annotate(
            red=Count("pk", filter=Q(card=Card.RED, state__in=OPEN_WARNING_STATES)),
            yellow=Count("pk", filter=Q(card=Card.YELLOW, state__in=OPEN_WARNING_STATES)),
            total=Count("pk"),
            closed=Count("pk", filter=Q(state=WarningState.CLOSED)),
        )
        .order_by("-red", "-yellow", "-total", "department_code")
    )
    return list(rows[:50])
