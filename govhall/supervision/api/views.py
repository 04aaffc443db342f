"""``/api/v1/supervision/…``: warnings for the staff of the supervising body and of the
department concerned (see docs/api.md). Scope as on the pages: a warning or region out of
reach is a 404."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.pagination import StandardPagination
from govhall.core.errors import refuse
from govhall.regions.models import Department, Region

from ..models import WarningStep
from ..services import access, queries, scoring, workflow
from . import serializers as s

IsSupervisionStaff = staff_only("效能监督")
NOT_FOUND = "预警不存在，或不在您的查看范围内。"
REGION_NOT_FOUND = "区划不存在，或不在您的查看范围内。"


def _trail():
    return Prefetch("trail", queryset=WarningStep.objects.order_by("at", "pk"))


class WarningListView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="区划代码（含下级）"),
            OpenApiParameter("department", str, description="部门统一社会信用代码"),
            OpenApiParameter("case_number", str),
            OpenApiParameter("card", str, enum=["yellow", "red"]),
            OpenApiParameter("state", str, description="open 或 raised、disputed…"),
            OpenApiParameter("category", str, enum=["time", "content", "process"]),
            OpenApiParameter("rule", str, description="规则编码"),
        ],
        responses=s.WarningOut(many=True),
        summary="预警（黄牌、红牌）列表",
        tags=["supervision"],
    )
    def get(self, request):
        flt = queries.WarningFilter.parse(request.query_params)
        scope = access.scope_of(request.user)
        if flt.region and access.sees_regions(scope) and not scope.covers_region_code(flt.region):
            raise NotFound(REGION_NOT_FOUND, field="region")
        rows = queries.visible(request.user, flt).prefetch_related(_trail())
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.WarningOut(page, many=True).data)


def _warning(request, pk: int):
    warning = queries.visible(request.user).prefetch_related(_trail()).filter(pk=pk).first()
    if warning is None:
        raise NotFound(NOT_FOUND, field="id")
    return warning


class WarningDetailView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(responses=s.WarningOut, summary="一条预警及其处理记录", tags=["supervision"])
    def get(self, request, pk: int):
        return Response(s.WarningOut(_warning(request, pk)).data)


class WarningActionView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        request=s.WarningActionIn,
        responses=s.WarningOut,
        summary="处理预警：confirm、dispute、answer（责任部门）；reject-dispute、"
        "accept-dispute、return、close（效能监督人员）",
        tags=["supervision"],
    )
    def post(self, request, pk: int, action: str):
        body = s.WarningActionIn(data=request.data)  # the body first: bad input is a 400
        body.is_valid(raise_exception=True)
        warning = _warning(request, pk)
        if action not in workflow.ACTIONS:
            raise refuse("action", "choice", "不支持的操作：" + "、".join(workflow.ACTIONS))
        workflow.take(
            request.user,
            warning,
            action,
            note=body.validated_data.get("note", ""),
            due_date=body.validated_data.get("due_date"),
        )
        return Response(s.WarningOut(_warning(request, pk)).data)


class ScoresView(APIView):
    """绩效考评 of a region's departments (``unit=departments``, default) or of the regions
    below it (``unit=regions``), with the trace behind every point. A department's own
    staff read their department only (``department=``)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="区划代码（效能监督人员、大厅管理员）"),
            OpenApiParameter("department", str, description="部门统一社会信用代码"),
            OpenApiParameter("period", str, description="YYYY-MM 或 YYYY-Qn"),
            OpenApiParameter("unit", str, enum=["departments", "regions"]),
        ],
        responses=dict,
        summary="绩效考评：得分、排名和每一分的来源",
        tags=["supervision"],
    )
    def get(self, request):
        params = request.query_params
        span = scoring.Span.parse(params.get("period"))
        scope = access.scope_of(request.user)
        credit_code = params.get("department", "").strip()
        if credit_code:
            department = Department.objects.filter(credit_code=credit_code).first()
            if department is None or not scope.covers_department(department):
                raise NotFound("部门不存在，或不在您的查看范围内。", field="department")
            scores = [scoring.one_department(department, span)]
        else:
            code = params.get("region", "").strip()
            if not code:
                raise refuse("region", "required", "请指定区划（region）或部门（department）。")
            if not (access.sees_regions(scope) and scope.covers_region_code(code)):
                raise NotFound(REGION_NOT_FOUND, field="region")
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise NotFound(REGION_NOT_FOUND, field="region")
            unit = params.get("unit", "departments")
            if unit not in ("departments", "regions"):
                raise refuse("unit", "choice", "“单位”（unit）须为departments或regions。")
            scores = (
                scoring.department_scores(region, span)
                if unit == "departments"
                else scoring.region_scores(region, span)
            )
        return Response({"period": span.label, "results": [s.as_dict() for s in scores]})
