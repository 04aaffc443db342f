"""``GET /api/v1/licences/indicators/electronic-rate``: the 证照电子化率 input, for staff.

The caller sees only what ``scope_of`` lets them: their departments' rows, and region rows
only for regions their posts cover (a city supervisor: the city and its counties).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.serializers import ApiErrors
from govhall.core.errors import refuse
from govhall.regions.models import Department, Region
from govhall.regions.services.scope import scope_of

from ..services import indicators


class ElectronicRatePeriod(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    month = serializers.IntegerField(allow_null=True)
    date_from = serializers.DateField(allow_null=True, help_text="统计期间起（含）；为空表示不限")
    date_to = serializers.DateField(allow_null=True, help_text="统计期间止（含）")


class ElectronicRateDepartment(serializers.Serializer):
    department_code = serializers.CharField(help_text="部门统一社会信用代码")
    department_name = serializers.CharField()
    region_code = serializers.CharField()
    numerator = serializers.IntegerField(help_text="已电子化签发的证照类型数")
    denominator = serializers.IntegerField(help_text="应签发的证照类型数")
    rate = serializers.FloatField(allow_null=True, help_text="分母为0时为null")
    due_type_codes = serializers.ListField(
        child=serializers.CharField(), help_text="分母的类型代码"
    )
    issued_type_codes = serializers.ListField(
        child=serializers.CharField(), help_text="分子的类型代码"
    )


class ElectronicRatePair(serializers.Serializer):
    department_code = serializers.CharField()
    type_code = serializers.CharField()


class ElectronicRateRegion(serializers.Serializer):
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    level = serializers.CharField()
    department_codes = serializers.ListField(child=serializers.CharField())
    numerator = serializers.IntegerField(help_text="下辖部门已电子化的（部门，类型）数")
    denominator = serializers.IntegerField(help_text="下辖部门应签发的（部门，类型）数")
    rate = serializers.FloatField(allow_null=True)
    due = ElectronicRatePair(many=True)
    issued = ElectronicRatePair(many=True)


class ElectronicRateResult(serializers.Serializer):
    period = ElectronicRatePeriod()
    departments = ElectronicRateDepartment(many=True)
    regions = ElectronicRateRegion(many=True)


def _integer(request, name: str, label: str) -> int | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise refuse(name, "integer", f"“{label}”（{name}）须为整数。")
    return int(value)


def _out_of_scope(field: str) -> Exception:
    return refuse(field, "out_of_scope", "所查询的部门或区划不在您的查看范围内。")


def parse(request):
    """(region code, department, year, month) from the query, checked against the caller."""
    scope = scope_of(request.user)
    region_code = request.query_params.get("region", "").strip() or None
    code = request.query_params.get("department", "").strip().upper()
    year, month = _integer(request, "year", "年份"), _integer(request, "month", "月份")
    department = None
    if code:
        department = Department.objects.select_related("region").filter(credit_code=code).first()
        if department is None:
            raise refuse("department", "not_found", f"统一社会信用代码为“{code}”的部门不存在。")
        if not scope.covers_department(department):
            raise _out_of_scope("department")
    if region_code and not scope.is_superuser:
        region = Region.objects.filter(code=region_code).first()
        if region is not None and not (
            scope.covers_region_code(region.code)
            or scope.departments().filter(region__code__startswith=region.prefix).exists()
        ):
            raise _out_of_scope("region")
    return scope, region_code, department, year, month


def payload(result: indicators.ElectronicRate) -> dict:
    period = result.period
    return {
        "period": {
            "year": period.year,
            "month": period.month,
            "date_from": period.date_from,
            "date_to": period.date_to,
        },
        "departments": [
            {
                "department_code": r.department_code,
                "department_name": r.department_name,
                "region_code": r.region_code,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "rate": r.rate,
                "due_type_codes": r.due_type_codes,
                "issued_type_codes": r.issued_type_codes,
            }
            for r in result.departments
        ],
        "regions": [
            {
                "region_code": r.region_code,
                "region_name": r.region_name,
                "level": r.level,
                "department_codes": r.department_codes,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "rate": r.rate,
                "due": r.due,
                "issued": r.issued,
            }
            for r in result.regions
        ],
    }


@extend_schema(
    summary="证照电子化率（按部门、按区划汇总）",
    description=(
        "分母为部门已发布事项（现行版本）的结果证照类型中、通用目录在用的类型；分子为其中"
        "期间内经办件办结签发或存量电子化的类型。区划汇总按（部门，类型）累加，含下辖各级。"
        "只返回调用者职权范围内的部门与区划。"
    ),
    parameters=[
        OpenApiParameter("region", str, description="区划代码（如440700），含下辖区划"),
        OpenApiParameter("department", str, description="部门统一社会信用代码"),
        OpenApiParameter("year", int, description="年份；不填为全部期间"),
        OpenApiParameter("month", int, description="月份（1-12），须同时填写年份"),
    ],
    responses={
        200: ElectronicRateResult,
        400: OpenApiResponse(ApiErrors, description="参数有误，field指明参数"),
        403: OpenApiResponse(ApiErrors, description="非工作人员，或查询范围超出职权"),
    },
    tags=["staff-licences"],
)
class ElectronicRateView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("证照电子化率统计")]

    def get(self, request):
        scope, region_code, department, year, month = parse(request)
        result = indicators.electronic_rate(region_code, department, year, month, scope=scope)
        return Response(ElectronicRateResult(payload(result)).data)
