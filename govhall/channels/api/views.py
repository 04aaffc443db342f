"""``GET /api/v1/channels/usage``: the usage report per channel and day (hall admins)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.serializers import ApiErrors

from ..services import access, params, usage


class DayOut(serializers.Serializer):
    day = serializers.DateField()
    requests = serializers.IntegerField(help_text="接口调用次数")
    errors = serializers.IntegerField(help_text="出错（状态码≥400）次数")
    throttled = serializers.IntegerField(help_text="超过调用上限（429）次数")
    cases = serializers.IntegerField(help_text="经该渠道提交的办件数（按申请日）")
    ratings = serializers.IntegerField(help_text="经该渠道的评价数（按评价日）")


class ChannelUsageOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    case_channel = serializers.CharField(help_text="办件计入的申请渠道：mobile / kiosk")
    client_id = serializers.CharField()
    rate_per_minute = serializers.IntegerField()
    is_active = serializers.BooleanField()
    totals = serializers.DictField(child=serializers.IntegerField())
    days = DayOut(many=True)


def payload(report, start, end) -> dict:
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "channels": [
            {
                "code": u.channel.code,
                "name": u.channel.name,
                "kind": u.channel.kind,
                "case_channel": u.channel.case_channel,
                "client_id": u.channel.application.client_id,
                "rate_per_minute": u.channel.rate_per_minute,
                "is_active": u.channel.is_active,
                "totals": u.totals,
                "days": [{**row, "day": row["day"].isoformat()} for row in u.days],
            }
            for u in report
        ],
    }


class ChannelUsageView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("第三方渠道使用情况")]

    @extend_schema(
        summary="第三方渠道使用情况（按渠道、按日）",
        parameters=[
            OpenApiParameter("from", str, description="起始日期YYYY-MM-DD，默认截止日前29天"),
            OpenApiParameter("to", str, description="截止日期YYYY-MM-DD，默认今天"),
            OpenApiParameter("channel", str, description="渠道代码；不填为全部渠道"),
        ],
        responses={
            200: OpenApiResponse(description="from、to、channels（每个渠道的totals和days）"),
            400: OpenApiResponse(ApiErrors, description="日期或渠道代码有误"),
            403: OpenApiResponse(ApiErrors, description="只有大厅管理员可以查看"),
        },
        tags=["channels"],
    )
    def get(self, request):
        if not access.can_view_usage(request.user):
            raise PermissionDenied("只有大厅管理员可以查看第三方渠道使用情况。")
        channels, start, end = params.query(request.query_params)
        return Response(payload(usage.report(channels, start, end), start, end))
