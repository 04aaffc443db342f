"""The two pages' API: ``/api/v1/my/space…`` for the signed-in person (session or bearer
token, acting as themselves or for a company) and the staff indicators."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import identity_of, staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.serializers import ApiErrors
from govhall.core.errors import deny, refuse
from govhall.regions.services.scope import scope_of

from ..services import datareads, indicators, overview, preferences, push, usage
from ..services.delivery import preference_of
from . import serializers as s

NO_PERSON = "只有完成实名注册的个人（或代表企业办事的经办人）才有个人网页。"


class SpaceAPIView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    def identity(self, request):
        identity = identity_of(request)
        if identity.person is None:
            raise deny(NO_PERSON)
        return identity


class MySpaceView(SpaceAPIView):
    """The page of the acting identity: its cases with their timelines, licences,
    materials, drafts, messages, reminders and pushes (the company's when acting for one)."""

    @extend_schema(
        summary="市民个人网页 / 企业专属网页",
        responses={200: s.SpaceOut, 403: OpenApiResponse(ApiErrors, description=NO_PERSON)},
        tags=["spaces"],
    )
    def get(self, request):
        identity = self.identity(request)
        usage.record_visit(identity)
        return Response(s.SpaceOut(s.space_payload(overview.build(identity))).data)


class MyPreferencesView(SpaceAPIView):
    """The person's reminder and push preferences."""

    @extend_schema(summary="提醒与推送设置", responses={200: s.PreferenceOut}, tags=["spaces"])
    def get(self, request):
        self.identity(request)
        preference = preference_of(request.user)
        return Response(s.PreferenceOut(preference).data)

    @extend_schema(
        summary="修改提醒与推送设置",
        request=s.PreferenceIn,
        responses={200: s.PreferenceOut, 400: OpenApiResponse(ApiErrors)},
        tags=["spaces"],
    )
    def put(self, request):
        self.identity(request)
        body = s.PreferenceIn(data=request.data)
        body.is_valid(raise_exception=True)
        preference = preferences.save(request.user, **body.validated_data)
        return Response(s.PreferenceOut(preference).data)


class PushOpenView(SpaceAPIView):
    """Record that the person opened a push (its delivery is recorded when sent)."""

    parser_classes = []  # no body: nothing to parse

    @extend_schema(
        summary="打开一条主动推送",
        request=None,
        responses={200: s.SpacePushOut, 404: OpenApiResponse(ApiErrors)},
        tags=["spaces"],
    )
    def post(self, request, push_id: int):
        self.identity(request)
        opened = push.mark_opened(request.user, push_id)
        if opened is None:
            raise NotFound("没有找到这条推送。")
        return Response(s.SpacePushOut(s.push_payload(opened)).data)


class MyDataReadsView(generics.ListAPIView):
    """谁用了我的数据: every read of the acting identity's data, newest first."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = s.DataReadOut
    filter_backends = []

    def get_queryset(self):
        return datareads.reads_of(identity_of(self.request)).order_by("-at", "-pk")

    @extend_schema(summary="谁用了我的数据", tags=["spaces"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = [s.data_read_payload(r) for r in page]
        return self.get_paginated_response(s.DataReadOut(rows, many=True).data)


class DisputeView(SpaceAPIView):
    """Dispute one read of my data (a complaint to the hall)."""

    @extend_schema(
        summary="对一次数据使用提出异议",
        request=s.DisputeIn,
        responses={
            201: s.DisputeOut,
            400: OpenApiResponse(ApiErrors),
            404: OpenApiResponse(ApiErrors),
            409: OpenApiResponse(ApiErrors, description="已提出过异议（already_disputed）"),
        },
        tags=["spaces"],
    )
    def post(self, request, read_id: int):
        identity = self.identity(request)
        if not datareads.reads_of(identity).filter(pk=read_id).exists():
            raise NotFound("没有找到这条数据使用记录。")
        body = s.DisputeIn(data=request.data)
        body.is_valid(raise_exception=True)
        created = datareads.dispute(identity, read_id, body.validated_data["reason"])
        payload = {
            "read": created.read_id,
            "state": created.state,
            "reason": created.reason,
            "created_at": created.created_at,
        }
        return Response(s.DisputeOut(payload).data, status=201)


class SpaceIndicatorsView(APIView):
    """两页开通率、使用率 per city for a month (staff: supervisors and hall administrators
    see the cities their regions cover)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("两页指标")]

    @extend_schema(
        summary="两页开通率、使用率（按地市）",
        parameters=[OpenApiParameter("period", str, description="月份 YYYY-MM，默认本月")],
        responses={200: s.SpaceIndicatorsOut, 400: OpenApiResponse(ApiErrors)},
        tags=["spaces"],
    )
    def get(self, request):
        from ..views.indicators import month_of, visible_cities

        scope = scope_of(request.user)
        if not (scope.is_superuser or scope.region_prefixes):
            raise deny("两页指标仅供效能监督人员和大厅管理员查看。")
        period = request.query_params.get("period", "")
        month = month_of(period) if period else timezone.localdate().replace(day=1)
        if month is None:
            raise refuse("period", "format", "“月份”（period）须为YYYY-MM格式，如2026-05。")
        rows = indicators.cities(month, visible_cities(scope))
        payload = {"period": f"{month:%Y-%m}", "results": [r.as_dict() for r in rows]}
        return Response(s.SpaceIndicatorsOut(payload).data)
