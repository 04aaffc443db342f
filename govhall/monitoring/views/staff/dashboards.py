"""The dashboards: a region, a department, the cases or items behind a number, one
case's process records, the monthly PDF report and the target editor.

Every view first asks ``access`` whether the user may see the region, department or
case (else 404, or 403 for a user with no post), and the figure views fold new process
records into the roll-ups first (``refresh.refresh``, incremental and cheap when nothing
is new), so a number is at most as old as the last pushed record.
"""

from __future__ import annotations

import functools
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.catalog.models.choices import ItemType
from govhall.core import context as audit_context
from govhall.exchange.models import ExchangeClient
from govhall.monitoring.models import CaseFact, Indicator, Target, TargetScope
from govhall.monitoring.services import access, indicators, refresh
from govhall.monitoring.services import targets as target_service
from govhall.monitoring.services.indicators import CASE_INDICATORS, ITEM_INDICATORS, Slice
from govhall.records import sources as record_sources
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department, Region
from govhall.workbench.gate import apply_errors, forbidden, staff_gate

from . import exports, records, report, tables
from .forms import TargetForm
from .params import ORDERS, Period, add_months, latest_month, parse_month, this_month, ym

CASE_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{1,40}$")

# A page view folds at most this many new records before it answers (the rest are
# shown as pending and folded by the next view or the background task).
REFRESH_LIMIT = 100_000
PAGE_SIZE = 50
YEAR_RE = re.compile(r"^\d{4}$")


monitoring_staff = staff_gate(lambda: _("只有在岗的工作人员可以查看数据监测。"))


def region_page(view):
    """A page about one region: for staff who see regions (others are told so), the
    region within their reach or 404; the view gets ``scope`` and ``region``."""

    @monitoring_staff
    @functools.wraps(view)
    def wrapper(request, code: str, **kwargs):
        scope = access.scope_of(request.user)
        if not access.sees_regions(scope):
            return _regions_only(request)
        return view(request, scope, access.region_or_404(scope, code), **kwargs)

    return wrapper


def _regions_only(request):
    return forbidden(
        request,
        _("地区数据仅供效能监督人员和大厅管理员查看；您可以查看本部门的数据。"),
    )


def _fold_new_records() -> None:
    refresh.refresh(max_records=REFRESH_LIMIT)


def _freshness() -> dict:
    return {"refreshed_at": refresh.last_refreshed(), "pending": refresh.lag()}


def _item_type_choices():
    return [(t.value, t.label) for t in ItemType] + [("all", _("全部类型"))]


def _period_context(period: Period) -> dict:
    return {
        "period": period,
        "month_value": ym(period.month),
        "from_value": ym(period.first),
        "item_types": _item_type_choices(),
        "indicator_choices": Indicator.choices,
        "orders": ORDERS.items(),
        "previous_query": _shifted(period, -1),
        # No "next month" into the future: there are no figures there.
        "next_query": _shifted(period, 1) if period.month < this_month() else "",
    }


def _shifted(period: Period, months: int) -> str:
    """The same view a month earlier or later (the trend window moves along)."""
    return period.query(
        **{
            "month": ym(add_months(period.month, months)),
            "from": ym(add_months(period.first, months)),
        }
    )


def _region_url(code: str, period: Period) -> str:
    return f"{reverse('workbench:monitoring-region', args=[code])}?{period.query()}"


def _department_url(credit_code: str, period: Period) -> str:
    url = reverse("workbench:monitoring-department", args=[credit_code])
    return f"{url}?{period.query()}"


# --- entry ------------------------------------------------------------------------------


@monitoring_staff
def index(request):
    """The user's top region; or their own department; or a choice when there are several."""
    scope = access.scope_of(request.user)
    regions = access.top_regions(scope) if access.sees_regions(scope) else []
    departments = [] if regions else access.own_departments(scope)
    if len(regions) == 1:
        return redirect("workbench:monitoring-region", code=regions[0].code)
    if len(departments) == 1:
        return redirect("workbench:monitoring-department", credit_code=departments[0].credit_code)
    if not regions and not departments:
        return forbidden(request, _("您的岗位没有可查看的监测数据。"))
    return render(
        request,
        "monitoring/staff/choose.html",
        {"regions": regions, "departments": departments, "nav": "monitoring"},
    )


# --- a region ---------------------------------------------------------------------------


def _unit_url(unit, period: Period) -> str:
    if unit.kind == "region":
        return _region_url(unit.code, period)
    if unit.kind == "department":
        return _department_url(unit.code, period)
    return "#departments"


UNIT_KINDS = {
    "departments": gettext_lazy("本级部门"),
    "region": gettext_lazy("下级地区"),
    "department": gettext_lazy("部门"),
}


def _unit_export(rows: list[tables.UnitRow], headline: list[tables.Cell]):
    header = [_("排名"), _("单位"), _("类别"), _("代码"), _("业务量（件）")]
    for cell in headline:
        header += [
            _("%(label)s分子") % {"label": cell.label},
            _("%(label)s分母") % {"label": cell.label},
            _("%(label)s（%%）") % {"label": cell.label},
            _("%(label)s目标（%%）") % {"label": cell.label},
            _("%(label)s达标情况") % {"label": cell.label},
        ]
    indicators_order = [c.indicator for c in headline]

    def lines():
        for row in rows:
            values = [row.rank, row.name, str(UNIT_KINDS[row.unit.kind]), row.unit.code, row.volume]
            for indicator in indicators_order:
                cell = row.cell_for(indicator)
                values += cell.export_values() if cell else ["", "", "", "", ""]
            yield values

    return header, lines()


@region_page
def region_view(request, scope, region):
    _fold_new_records()
    period = Period.from_request(request, latest_month(Q(region_code__startswith=region.prefix)))
    s = period.slice(region.code)
    own, region_units = indicators.overview(s)
    headline = tables.cells(own, s)
    fmt = request.GET.get("format")

    def ranked(kind: str) -> list[tables.UnitRow]:
        found = indicators.department_units(s) if kind == "departments" else region_units
        return tables.unit_rows(found, period, lambda unit: _unit_url(unit, period))

    if fmt in exports.FORMATS:
        table = "departments" if request.GET.get("table") == "departments" else "units"
        header, lines = _unit_export(ranked(table), headline)
        name = f"monitoring-{region.code}-{ym(period.month)}-{table}"
        title = _("本级部门指标") if table == "departments" else _("各单位指标")
        return exports.table_response(fmt, name, title, header, lines)
    units = ranked("units")
    departments = ranked("departments")

    indicator_label = str(Indicator(period.indicator).label)
    trend_slice = period.trend_slice(region.code)
    trend = tables.trend_rows(indicators.trend(trend_slice), trend_slice)
    bar_title = _("%(region)s%(month)s各单位%(indicator)s") % {
        "region": region.name,
        "month": ym(period.month),
        "indicator": indicator_label,
    }
    bar_options, bar_summary = tables.bar_chart(units, indicator_label, bar_title)
    trend_options, trend_summary = tables.trend_chart(
        trend, _("%(region)s办件指标月度走势") % {"region": region.name}
    )
    return render(
        request,
        "monitoring/staff/region.html",
        {
            "nav": "monitoring",
            "region": region,
            "ancestors": access.visible_ancestors(scope, region),
            "headline": headline,
            "units": units,
            "departments": departments,
            "indicator_label": indicator_label,
            "trend": trend,
            "case_indicators": [str(Indicator(i).label) for i in CASE_INDICATORS],
            "bar_options": bar_options,
            "bar_summary": bar_summary,
            "trend_options": trend_options,
            "trend_summary": trend_summary,
            "charts": True,
            "query": period.query(),
            "report_url": reverse(
                "workbench:monitoring-report", args=[region.code, ym(period.month)]
            ),
            "targets_url": reverse("workbench:monitoring-targets", args=[region.code])
            + f"?year={period.month.year}",
            **_period_context(period),
            **_freshness(),
        },
    )


# --- a department -----------------------------------------------------------------------


@monitoring_staff
def department_view(request, credit_code: str):
    scope = access.scope_of(request.user)
    department = access.department_or_404(scope, credit_code)
    _fold_new_records()
    period = Period.from_request(request, latest_month(Q(department_code=credit_code)))
    s = period.slice(
        department.region_id, scope=TargetScope.DEPARTMENTS, department_code=credit_code
    )
    headline = tables.cells(indicators.figures(s), s)
    trend_slice = period.trend_slice(
        department.region_id, scope=TargetScope.DEPARTMENTS, department_code=credit_code
    )
    trend = tables.trend_rows(indicators.trend(trend_slice), trend_slice)
    trend_options, trend_summary = tables.trend_chart(
        trend, _("%(name)s办件指标月度走势") % {"name": department.name}
    )
    items = indicators.items_behind(s, Indicator.ONLINE_FULL, "denominator")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    item_rows = _item_rows(s, list(page.object_list))
    region = department.region
    return render(
        request,
        "monitoring/staff/department.html",
        {
            "nav": "monitoring",
            "department": department,
            "region_url": _region_url(region.code, period)
            if access.may_see_region(scope, region.code)
            else "",
            "ancestors": access.visible_ancestors(scope, region)
            + ([region] if access.may_see_region(scope, region.code) else []),
            "headline": headline,
            "case_cells": [c for c in headline if c.indicator in CASE_INDICATORS],
            "item_cells": [c for c in headline if c.indicator in ITEM_INDICATORS],
            "other_cells": [
                c
                for c in headline
                if c.indicator not in CASE_INDICATORS and c.indicator not in ITEM_INDICATORS
            ],
            "trend": trend,
            "case_indicators": [str(Indicator(i).label) for i in CASE_INDICATORS],
            "trend_options": trend_options,
            "trend_summary": trend_summary,
            "charts": True,
            "page": page,
            "item_rows": item_rows,
            "page_params": period.query() + "&",
            "query": period.query(),
            **_period_context(period),
            **_freshness(),
        },
    )


def _item_rows(s: Slice, items: list) -> list[dict]:
    """Which item indicators count each item (the services' own conditions, per page)."""
    ids = [item.pk for item in items]
    counted = {
        (indicator, part): set(
            indicators.items_behind(s, indicator, part)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        for indicator in ITEM_INDICATORS
        for part in ("numerator", "denominator")
    }
    rows = []
    for item in items:
        mobile = None
        if item.pk in counted[(Indicator.MOBILE, "denominator")]:
            mobile = item.pk in counted[(Indicator.MOBILE, "numerator")]
        rows.append(
            {
                "item": item,
                "full": item.pk in counted[(Indicator.ONLINE_FULL, "numerator")],
                "platform": item.pk in counted[(Indicator.PLATFORM, "numerator")],
                "mobile": mobile,
            }
        )
    return rows


# --- behind a number ----------------------------------------------------------------------


def _behind_slice(request, scope, code: str) -> tuple[Slice, Region, Department | None]:
    credit_code = request.GET.get("department", "").strip()
    department = None
    if credit_code:
        department = access.department_or_404(scope, credit_code)
        if department.region_id != code:
            raise Http404
        region = department.region
    else:
        region = access.region_or_404(scope, code)
    month = parse_month(request.GET.get("month"))
    if month is None:
        raise Http404
    first = parse_month(request.GET.get("from")) or month
    if first > month:
        raise Http404
    item_type = request.GET.get("item_type", ItemType.LICENSING)
    if item_type == "all":
        item_type = ""
    elif item_type not in ItemType.values:
        raise Http404
    chosen_scope = request.GET.get("scope", TargetScope.TOTAL)
    if department is not None:
        chosen_scope = TargetScope.DEPARTMENTS
    elif chosen_scope not in (TargetScope.TOTAL, TargetScope.DEPARTMENTS):
        raise Http404
    s = Slice(
        first,
        month,
        region_code=code,
        scope=chosen_scope,
        department_code=department.credit_code if department else "",
        item_type=item_type,
    )
    return s, region, department


def _case_export(facts, names: dict[str, str], sources: dict[str, str]):
    header = [
        _("办件编号"),
        _("实施编码"),
        _("事项名称"),
        _("部门"),
        _("部门统一社会信用代码"),
        _("区划代码"),
        _("申办渠道"),
        _("到现场次数"),
        _("申办时间"),
        _("办结时间"),
        _("统计月份"),
        _("来源"),
    ]

    def lines():
        for fact in facts.iterator(chunk_size=2000):
            yield [
                fact.case_number,
                fact.implementation_code,
                fact.item_name,
                names.get(fact.department_code, ""),
                fact.department_code,
                fact.region_code,
                records.channel_label(fact.channel),
                fact.visits,
                _local(fact.applied_at),
                _local(fact.concluded_at),
                ym(fact.month) if fact.month else "",
                sources.get(fact.source, fact.source),
            ]

    return header, lines()


def _item_export(items):
    header = [
        _("实施编码"),
        _("事项名称"),
        _("事项类型"),
        _("实施部门"),
        _("区划"),
        _("网上办理深度"),
        _("到现场次数"),
        _("移动端办理"),
    ]
    types = dict(ItemType.choices)

    def lines():
        for item in items.iterator(chunk_size=2000):
            current = item.current
            yield [
                item.implementation_code,
                item.name,
                str(types.get(item.item_type, item.item_type)),
                item.department.name,
                item.region.name,
                current.depth if current else "",
                current.visits if current else "",
                (_("是") if current.channel_mobile else _("否")) if current else "",
            ]

    return header, lines()


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _department_names(codes) -> dict[str, str]:
    return dict(
        Department.objects.filter(credit_code__in=set(codes)).values_list("credit_code", "name")
    )


def _source_names() -> dict[str, str]:
    names = {record_sources.LOCAL: _("本厅"), record_sources.DEMO: _("演示数据（模拟报送）")}
    names.update(ExchangeClient.objects.values_list("code", "name"))
    return names


@monitoring_staff
def behind(request, code: str):
    scope = access.scope_of(request.user)
    indicator = request.GET.get("indicator", "")
    part = request.GET.get("part", "numerator")
    if indicator not in tables.TRACEABLE or part not in tables.PARTS:
        raise Http404
    s, region, department = _behind_slice(request, scope, code)
    _fold_new_records()
    figure = indicators.figures(s)[indicator]
    cell = tables.Cell(figure, s)
    is_cases = indicator in CASE_INDICATORS
    if is_cases:
        listed = indicators.cases_behind(s, indicator, part)
    else:
        listed = indicators.items_behind(s, indicator, part)
    fmt = request.GET.get("format")
    name = f"monitoring-{code}-{ym(s.last_month)}-{indicator}-{part}"
    if fmt in exports.FORMATS:
        if is_cases:
            names = _department_names(listed.values_list("department_code", flat=True))
            header, lines = _case_export(listed, names, _source_names())
        else:
            header, lines = _item_export(listed)
        return exports.table_response(fmt, name, str(tables.PARTS[part]), header, lines)

    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if is_cases:
        names = _department_names([f.department_code for f in rows])
        sources = _source_names()
        rows = [
            {
                "fact": fact,
                "department": names.get(fact.department_code, fact.department_code),
                "channel": records.channel_label(fact.channel),
                "source": sources.get(fact.source, fact.source),
            }
            for fact in rows
        ]
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    other = "denominator" if part == "numerator" else "numerator"
    other_params = params.copy()
    other_params["part"] = other
    if department is not None:
        back_url = _department_url(department.credit_code, _period_of(s))
        where = department.name
    else:
        back_url = _region_url(region.code, _period_of(s))
        where = (
            indicators.unit_name(region, TargetScope.DEPARTMENTS)
            if s.scope == TargetScope.DEPARTMENTS
            else region.name
        )
    return render(
        request,
        "monitoring/staff/behind.html",
        {
            "nav": "monitoring",
            "region": region,
            "department": department,
            "where": where,
            "cell": cell,
            "part": part,
            "part_label": tables.PARTS[part],
            "part_description": tables.PART_DESCRIPTIONS[(indicator, part)],
            "other_part_label": tables.PARTS[other],
            "other_part_url": f"?{other_params.urlencode()}",
            "is_cases": is_cases,
            "page": page,
            "rows": rows,
            "months": ym(s.first_month)
            if s.first_month == s.last_month
            else f"{ym(s.first_month)}—{ym(s.last_month)}",
            "page_params": params.urlencode() + "&",
            "csv_url": f"?{params.urlencode()}&format=csv",
            "xlsx_url": f"?{params.urlencode()}&format=xlsx",
            "back_url": back_url,
            "ancestors": access.visible_ancestors(scope, region)
            + ([region] if access.may_see_region(scope, region.code) else []),
        },
    )


def _period_of(s: Slice) -> Period:
    return Period(s.last_month, add_months(s.last_month, -11), s.item_type)


# --- one case's records ------------------------------------------------------------------


@monitoring_staff
def case_records(request, case_number: str):
    scope = access.scope_of(request.user)
    if not CASE_NUMBER_RE.match(case_number or ""):
        raise Http404
    found = list(
        ProcessRecord.objects.filter(case_number=case_number).order_by("occurred_at", "pk")
    )
    if not found or not access.may_see_case_records(scope, found):
        raise Http404
    _fold_new_records()
    facts = list(CaseFact.objects.filter(case_number=case_number))
    local_url = ""
    if any(r.source == record_sources.LOCAL for r in found):
        local_url = record_sources.local_case_page(request.user, case_number)
    names = _department_names(
        [f.department_code for f in facts] + [r.department_code for r in found]
    )
    sources = _source_names()
    return render(
        request,
        "monitoring/staff/case.html",
        {
            "nav": "monitoring",
            "case_number": case_number,
            "facts": [
                {
                    "fact": fact,
                    "department": names.get(fact.department_code, fact.department_code),
                    "channel": records.channel_label(fact.channel),
                    "source": sources.get(fact.source, fact.source),
                    "end": records.event_label(fact.closed_event) if fact.closed_event else "",
                }
                for fact in facts
            ],
            "rows": [
                {
                    "row": row,
                    "department": names.get(row.record.department_code, row.record.department_code),
                    "source": sources.get(row.record.source, row.record.source),
                }
                for row in records.rows_of(found)
            ],
            "local_url": local_url,
        },
    )


# --- the monthly report --------------------------------------------------------------------


@region_page
def report_pdf(request, scope, region, period: str):
    month = parse_month(period)
    if month is None:
        raise Http404
    _fold_new_records()
    pdf = report.render_pdf(region, month, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="monitoring-{region.code}-{period}.pdf"'
    return response


# --- targets -------------------------------------------------------------------------------


def _subregion_targets(year: int, code: str) -> dict[str, Target]:
    """The region's own targets for each region under it (latest year, highest rank)."""
    chosen: dict[str, Target] = {}
    for target in Target.objects.filter(
        region_code=code, scope=TargetScope.SUBREGIONS, year__lte=year
    ).order_by("year", "rank"):
        chosen[target.indicator] = target
    return chosen


def _target_rows(found: dict[str, Target], year: int) -> list[dict]:
    rows = []
    for indicator in Indicator:
        target = found.get(indicator.value)
        rows.append(
            {
                "indicator": indicator.label,
                "target": target,
                "inherited": target is not None and target.year < year,
            }
        )
    return rows


@region_page
def targets_page(request, scope, region):
    raw_year = request.POST.get("year") if request.method == "POST" else request.GET.get("year")
    year = int(raw_year) if raw_year and YEAR_RE.match(raw_year) else timezone.localdate().year
    can_edit = access.may_edit_targets(scope, region.code)
    if request.method == "POST":
        if not can_edit:
            return forbidden(
                request, _("只有本地区或上级地区的效能监督人员、大厅管理员可以修改目标。")
            )
        form = TargetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with audit_context.acting(reason=_("在数据监测中设定指标目标")):
                    target = target_service.save_target(
                        year=data["year"],
                        indicator=data["indicator"],
                        region_code=region.code,
                        scope=data["scope"],
                        value=data["value"],
                        source=data["source"],
                    )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已保存：%(year)s年%(scope)s%(indicator)s目标%(value)s%%。")
                    % {
                        "year": target.year,
                        "scope": target.get_scope_display(),
                        "indicator": target.get_indicator_display(),
                        "value": f"{target.value:g}",
                    },
                )
                url = reverse("workbench:monitoring-targets", args=[region.code])
                return redirect(f"{url}?year={target.year}")
    else:
        form = TargetForm(initial={"year": str(year), "scope": TargetScope.TOTAL})
    sections = [
        (
            TargetScope.TOTAL.label,
            region.name,
            _target_rows(target_service.targets_for(year, region.code, TargetScope.TOTAL), year),
        ),
        (
            TargetScope.DEPARTMENTS.label,
            indicators.unit_name(region, TargetScope.DEPARTMENTS),
            _target_rows(
                target_service.targets_for(year, region.code, TargetScope.DEPARTMENTS), year
            ),
        ),
    ]
    if region.children.exists():
        sections.append(
            (
                TargetScope.SUBREGIONS.label,
                _("%(region)s所辖各地区") % {"region": region.name},
                _target_rows(_subregion_targets(year, region.code), year),
            )
        )
    return render(
        request,
        "monitoring/staff/targets.html",
        {
            "nav": "monitoring",
            "region": region,
            "ancestors": access.visible_ancestors(scope, region),
            "year": year,
            "years": [year - 1, year + 1],
            "sections": sections,
            "form": form,
            "can_edit": can_edit,
            "region_url": reverse("workbench:monitoring-region", args=[region.code]),
        },
    )
