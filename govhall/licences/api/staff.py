"""The staff licence desk over the API: ``/api/v1/staff/licences/…`` (session, or a bearer
token with the ``staff`` scope).

A licence is looked up in the caller's reach (issued by one of their departments) before
the body is read, so one outside it is a 404 on every endpoint. Any version's identifier
names its licence; actions always apply to the current version.
"""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.errors import refuse

from ..models import Licence, LicenceState
from ..services import catalogue, issuing
from . import serializers as s

NOT_FOUND = "证照不存在，或不是您所在部门签发的。"
ACTION_LABELS = {"annotate": "加注", "renew": "延续", "change": "变更", "revoke": "注销"}
ACTION_ERRORS = {
    400: OpenApiResponse(s.LicenceApiErrors, description="输入有误，field指明字段"),
    404: OpenApiResponse(s.LicenceApiErrors, description="证照不存在或不是本部门签发"),
    409: OpenApiResponse(s.LicenceApiErrors, description="证照已注销或已失效，不能办理"),
}


class StaffLicenceMixin:
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("电子证照管理")]


def find(user, identifier: str) -> Licence:
    identifier = (identifier or "").strip().upper()
    licence = (
        catalogue.staff_licences(user)
        .filter(versions__identifier=identifier)
        .select_related("issuer__region")
        .first()
    )
    if licence is None:
        raise NotFound(NOT_FOUND, field="identifier")
    return licence


def detail(licence: Licence) -> dict:
    licence.version_list = list(licence.versions.select_related("key").order_by("version"))
    return s.StaffLicenceDetail(licence).data


def filtered(rows, params):
    """Filters shared with the workbench list: type code, state, number or holder name."""
    type_code = params.get("type", "").strip()
    if type_code:
        rows = rows.filter(type__code=type_code.upper())
    state = params.get("state", "").strip()
    if state:
        if state not in LicenceState.values:
            raise refuse(
                "state", "choice", "state须为valid（有效）、revoked（已注销）或expired（已过期）。"
            )
        rows = rows.filter(state=state)
    query = params.get("q", "").strip()[:100]
    if query:
        rows = rows.filter(Q(number__icontains=query) | Q(holder_name__icontains=query))
    return rows


@extend_schema(
    summary="本部门签发的电子证照",
    parameters=[
        OpenApiParameter("type", str, description="证照类型代码"),
        OpenApiParameter("state", str, enum=LicenceState.values, description="证照状态"),
        OpenApiParameter("q", str, description="证照编号或持证主体名称"),
    ],
    tags=["staff-licences"],
)
class StaffLicenceList(StaffLicenceMixin, generics.ListAPIView):
    """Licences issued by the caller's departments, newest first."""

    serializer_class = s.StaffLicenceRow
    filter_backends = []
    queryset = Licence.objects.none()

    def get_queryset(self):
        rows = catalogue.staff_licences(self.request.user)
        return filtered(rows, self.request.query_params).order_by("-created_at", "-pk")


class StaffLicenceDetailView(StaffLicenceMixin, APIView):
    """One licence with all its versions."""

    @extend_schema(
        summary="电子证照详情（含各版本）",
        responses={200: s.StaffLicenceDetail, 404: ACTION_ERRORS[404]},
        tags=["staff-licences"],
    )
    def get(self, request, identifier: str):
        return Response(detail(find(request.user, identifier)))


class StaffLicenceAction(StaffLicenceMixin, APIView):
    """One lifecycle action: scope (404), then body (400), then the service."""

    action_slug = ""

    def post(self, request, identifier: str):
        licence = find(request.user, identifier)
        body = s.ACTION_REQUESTS[self.action_slug](data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        if "data" in fields:
            fields["data"] = dict(fields["data"])
        issuing.LIFECYCLE[self.action_slug](licence, request.user, **fields)
        return Response(detail(find(request.user, identifier)))


def action_view(slug: str):
    """A view class per action, so the schema shows each action's own request body."""
    label = ACTION_LABELS[slug]
    view = type(
        f"StaffLicence{slug.title()}",
        (StaffLicenceAction,),
        {"action_slug": slug, "__doc__": f"{label}：生成并签署证照的新版本。"},
    )
    return extend_schema(
        summary=f"证照{label}（{slug}）",
        request=s.ACTION_REQUESTS[slug],
        responses={200: s.StaffLicenceDetail, **ACTION_ERRORS},
        tags=["staff-licences"],
    )(view)


ACTION_VIEWS = {slug: action_view(slug) for slug in ACTION_LABELS}
