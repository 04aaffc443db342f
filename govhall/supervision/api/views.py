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

from ..models import WarningStep
from ..services import access, queries, workflow
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
        warning = _warning(request, pk)
        if action not in workflow.ACTIONS:
            raise refuse("action", "choice", "不支持的操作：" + "、".join(workflow.ACTIONS))
        body = s.WarningActionIn(data=request.data)
        body.is_valid(raise_exception=True)
        workflow.take(
            request.user,
            warning,
            action,
            note=body.validated_data.get("note", ""),
            due_date=body.validated_data.get("due_date"),
        )
        return Response(s.WarningOut(_warning(request, pk)).data)
