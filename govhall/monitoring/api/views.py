"""``/api/v1/monitoring/…``: the dashboards' numbers for staff and their systems.

The same rules as the pages (``services.access``): supervisors and hall administrators
read the regions they watch; a region outside their reach is a 404. Every figure
carries its numerator and denominator, and ``…/behind`` lists the cases or items
counted in one of them.
"""

from __future__ import annotations

import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.catalog.models.choices import ItemType
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.errors import refuse
from govhall.regions.models import Department, Level, Region

from ..models import Indicator, TargetScope
from ..services import access, indicators, refresh
from ..services.indicators import CASE_INDICATORS, ITEM_INDICATORS, Slice

NOT_FOUND = "区划不存在，或不在您的查看范围内。"
BEHIND_LIMIT = 1000
REFRESH_LIMIT = 100_000


class Figure(serializers.Serializer):
    indicator = serializers.ChoiceField(Indicator.choices)
    label = serializers.CharField()
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True, help_text="百分数，一位小数；分母为0时为null")
    target = serializers.FloatField(allow_null=True)
    target_source = serializers.CharField()
    status = serializers.ChoiceField(["met", "below", "no_target", "no_data"])
    basis = serializers.ChoiceField(["cases", "items", "licence_types", "population"])


class Unit(serializers.Serializer):
    kind = serializers.ChoiceField(["departments", "region", "department"])
    code = serializers.CharField(help_text="区划代码或部门统一社会信用代码")
    name = serializers.CharField()
    volume = serializers.IntegerField(help_text="业务量（当月办结件数）")
    figures = Figure(many=True)


class RegionIndicators(serializers.Serializer):
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    month = serializers.CharField()
    item_type = serializers.CharField()
    level = serializers.CharField(help_text="空：全部层级")
    figures = Figure(many=True)
    units = Unit(many=True)
    departments = Unit(many=True)
    pending_records = serializers.IntegerField(help_text="尚未汇总的过程信息条数")


class Behind(serializers.Serializer):
    indicator = serializers.CharField()
    part = serializers.CharField()
    count = serializers.IntegerField()
    case_numbers = serializers.ListField(child=serializers.CharField(), required=False)
    implementation_codes = serializers.ListField(child=serializers.CharField(), required=False)


def _month(request) -> datetime.date:
    month = indicators.parse_month(request.query_params.get("month"))
    if month is None:
        raise refuse("month", "format", "“月份”（month）须为YYYY-MM格式，如2017-06。")
    return month


def _item_type(request) -> str:
    value = request.query_params.get("item_type", ItemType.LICENSING).strip()
    if value == "all":
        return ""
    if value not in ItemType.values:
        raise refuse(
            "item_type", "choice", "“事项类型”（item_type）须为事项类型代码（如XK）或all。"
        )
    return value


def _level(request) -> str:
    value = request.query_params.get("level", "").strip()
    if value and value not in Level.values:
        raise refuse(
            "level", "choice", "“层级”（level）须为province、city、county、town或village。"
        )
    return value


def _region(request, code: str):
    scope = access.scope_of(request.user)
    if not access.may_see_region(scope, code):
        raise NotFound(NOT_FOUND, field="code")
    return Region.objects.get(code=code)


def _figures(figures: dict) -> list[dict]:
    return [figure.as_dict() for figure in figures.values()]


def _unit(unit) -> dict:
    return {
        "kind": unit.kind,
        "code": unit.code,
        "name": unit.name,
        "volume": unit.volume,
        "figures": _figures(unit.figures),
    }


MONTH_PARAM = OpenApiParameter("month", str, required=True, description="YYYY-MM")
TYPE_PARAM = OpenApiParameter("item_type", str, description="事项类型代码，默认XK；all为全部")
LEVEL_PARAM = OpenApiParameter(
    "level", str, description="只计该层级的办件和事项：province、city、county、town"
)


IsMonitoringStaff = staff_only("数据监测")


class RegionIndicatorsView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsMonitoringStaff]

    @extend_schema(
        parameters=[MONTH_PARAM, TYPE_PARAM, LEVEL_PARAM],
        responses=RegionIndicators,
        summary="一个地区一个月的全部监测指标，及其下级地区和本级部门",
    )
    def get(self, request, code: str):
        region = _region(request, code)
        month, item_type, level = _month(request), _item_type(request), _level(request)
        refresh.refresh(max_records=REFRESH_LIMIT)
        whole = Slice(month, month, region_code=region.code, item_type=item_type, level=level)
        own, units = indicators.overview(whole)
        return Response(
            {
                "region_code": region.code,
                "region_name": region.name,
                "month": f"{month:%Y-%m}",
                "item_type": item_type or "all",
                "level": level,
                "figures": _figures(own),
                "units": [_unit(u) for u in units],
                "departments": [_unit(u) for u in indicators.department_units(whole)],
                "pending_records": refresh.lag(),
            }
        )


class BehindView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsMonitoringStaff]

    @extend_schema(
        parameters=[
            MONTH_PARAM,
            TYPE_PARAM,
            OpenApiParameter("indicator", str, required=True),
            OpenApiParameter("part", str, description="numerator（默认）或denominator"),
            OpenApiParameter("scope", str, description="total（默认）或departments"),
            OpenApiParameter("department", str, description="部门统一社会信用代码"),
        ],
        responses=Behind,
        summary="一个指标分子或分母所计的办件（或事项）",
    )
    def get(self, request, code: str):
        region = _region(request, code)
        month, item_type = _month(request), _item_type(request)
        params = request.query_params
        indicator = params.get("indicator", "")
        if indicator not in (*CASE_INDICATORS, *ITEM_INDICATORS):
            raise refuse("indicator", "choice", "“指标”（indicator）须为可追溯到办件或事项的指标。")
        part = params.get("part", "numerator")
        if part not in ("numerator", "denominator"):
            raise refuse("part", "choice", "“部分”（part）须为numerator或denominator。")
        scope = params.get("scope", TargetScope.TOTAL)
        if scope not in (TargetScope.TOTAL, TargetScope.DEPARTMENTS):
            raise refuse("scope", "choice", "“范围”（scope）须为total或departments。")
        department_code = params.get("department", "").strip()
        if department_code:
            department = Department.objects.filter(credit_code=department_code).first()
            if department is None or not department.region_id.startswith(region.prefix):
                raise NotFound("部门不存在，或不在该地区。", field="department")
            scope = TargetScope.DEPARTMENTS
        s = Slice(
            month,
            month,
            region_code=region.code,
            scope=scope,
            department_code=department_code,
            item_type=item_type,
        )
        result = {"indicator": indicator, "part": part}
        if indicator in CASE_INDICATORS:
            refresh.refresh(max_records=REFRESH_LIMIT)
            facts = indicators.cases_behind(s, indicator, part)
            result["count"] = facts.count()
            result["case_numbers"] = list(
                facts.values_list("case_number", flat=True)[:BEHIND_LIMIT]
            )
        else:
            items = indicators.items_behind(s, indicator, part)
            result["count"] = items.count()
            result["implementation_codes"] = list(
                items.values_list("implementation_code", flat=True)[:BEHIND_LIMIT]
            )
        return Response(result)
