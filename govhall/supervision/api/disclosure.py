"""``GET /api/v1/disclosure/?region=&period=``: the public monthly disclosure."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.core.api.auth import AUTHENTICATION
from govhall.core.errors import refuse

from ..services import disclosure


def page_param(value: str | None) -> int:
    text = (value or "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise refuse("page", "format", "“页码”（page）须为正整数。")
    return int(text)


class DisclosureView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, required=True, description="区划代码"),
            OpenApiParameter("period", str, description="YYYY-MM，默认本月"),
            OpenApiParameter("page", int, description="办件公示的页码（每页100条）"),
        ],
        responses=dict,
        summary="监督栏目：一个地区一个月的监督结果、投诉、评价、办件公示和事项录入",
        tags=["supervision"],
    )
    def get(self, request):
        params = request.query_params
        region = disclosure.region_or_refuse(params.get("region", ""))
        period = disclosure.Period.parse(params.get("period"))
        body = disclosure.disclosure(region, period, page=page_param(params.get("page")))
        response = Response(body)
        response["Cache-Control"] = "public, max-age=300"
        return response
