"""The holder's licences: ``/api/v1/my/licences/…`` (session or bearer token).

A licence is named by the identifier of any of its versions; licences come from
``sharing.licences_of`` only, so anyone else's licence is "not found", whatever the
identifier.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import identity_of
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.serializers import ApiErrors
from govhall.core.errors import refuse

from ..models import Licence, LicenceUse
from ..services import pdf, sharing, uses
from ..views.holder import bundle_response, pdf_filename, who_used
from . import serializers_holder as s

TAGS = ["my-licences"]
NOT_FOUND = OpenApiResponse(ApiErrors, description="证照不存在或不属于当前办事身份")
NOT_SIGNED_IN = OpenApiResponse(ApiErrors, description="未登录或令牌无效")


class HolderLicenceMixin:
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    def licence(self, request, identifier: str) -> Licence:
        licence = (
            sharing.licences_of(identity_of(request))
            .filter(versions__identifier=(identifier or "").strip().upper())
            .first()
        )
        if licence is None:
            raise NotFound("证照不存在，或不属于当前办事身份。")
        return licence


class HolderList(HolderLicenceMixin, generics.ListAPIView):
    """A page of the holder's rows: ``row`` makes each one's payload for the
    ``serializer_class``."""

    filter_backends = []

    def row(self, obj) -> dict:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = [self.row(obj) for obj in page]
        return self.get_paginated_response(self.serializer_class(rows, many=True).data)


@extend_schema(
    summary="我的证照",
    description="当前办事身份的全部电子证照（含已注销、已过期），最新在前。",
    tags=TAGS,
)
class MyLicenceList(HolderList):
    """Every licence of the acting identity, any state, newest first."""

    serializer_class = s.HolderLicenceSummary
    queryset = Licence.objects.none()

    def get_queryset(self):
        return sharing.licences_of(identity_of(self.request)).order_by("-created_at", "-pk")

    def row(self, licence) -> dict:
        return s.summary_payload(licence)


class MyLicenceDetail(HolderLicenceMixin, APIView):
    @extend_schema(
        summary="我的证照详情",
        description="照面信息、加注、全部版本和亮证二维码内容。证照标识可以是任一版本的。",
        responses={200: s.HolderLicenceDetail, 401: NOT_SIGNED_IN, 404: NOT_FOUND},
        tags=TAGS,
    )
    def get(self, request, identifier: str):
        licence = self.licence(request, identifier)
        return Response(s.HolderLicenceDetail(s.detail_payload(licence, request)).data)


@extend_schema(
    summary="谁用了我的证照",
    description="该证照的每一次使用：部门查看或调取、分享链接查看、本人下载，最新在前。",
    responses={200: s.HolderLicenceUse(many=True), 404: NOT_FOUND},
    tags=TAGS,
)
class MyLicenceUses(HolderList):
    """Every read of one licence (by departments, share links, downloads), newest first."""

    serializer_class = s.HolderLicenceUse
    queryset = LicenceUse.objects.none()

    def get_queryset(self):
        licence = self.licence(self.request, self.kwargs["identifier"])
        return uses.uses_of_holder(identity_of(self.request)).filter(licence=licence)

    def row(self, use) -> dict:
        return s.use_payload(use, who_used(use))


class MyLicencePdf(HolderLicenceMixin, APIView):
    def perform_content_negotiation(self, request, force=False):
        # The PDF bypasses renderers; errors are JSON whatever the Accept header asks.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="下载证照版式文件（PDF）",
        description="当前版本的PDF，带签发部门的PAdES数字签名；下载记入用证记录。",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            401: NOT_SIGNED_IN,
            404: NOT_FOUND,
        },
        tags=TAGS,
    )
    def get(self, request, identifier: str):
        licence = self.licence(request, identifier)
        response = HttpResponse(pdf.ensure_pdf(licence.current), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, pdf_filename(licence))
        uses.record_use(
            licence, LicenceUse.Kind.DOWNLOAD, user=request.user, purpose="下载版式文件（接口）"
        )
        return response


REVEAL_CHOICES = {"": False, "holder": True}


def reveal_of(value: str | None) -> bool:
    """``reveal`` is empty (the default) or ``holder``; anything else is refused."""
    value = (value or "").strip()
    if value not in REVEAL_CHOICES:
        raise refuse("reveal", "invalid_choice", "“reveal”只能为空或为“holder”（附持证人证明）。")
    return REVEAL_CHOICES[value]


class MyLicenceBundle(HolderLicenceMixin, APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="下载离线核验包",
        description=(
            "当前版本的签名数据（licence.json）、DER格式SM2签名（licence.sig）、签发部门"
            "和平台根的SM2证书链与核验说明（ZIP），任何人可只用OpenSSL离线核验。签名数据"
            "不含身份证号码（以加盐SM3承诺代替）；reveal=holder 时附持证人证明"
            "（身份证号码和随机数）。下载记入用证记录。"
        ),
        parameters=[
            OpenApiParameter(
                "reveal", str, enum=["holder"], required=False, description="附持证人证明"
            )
        ],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            400: OpenApiResponse(ApiErrors, description="reveal 取值无效"),
            401: NOT_SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(ApiErrors, description="旧格式版本（签名数据含完整号码）"),
        },
        tags=TAGS,
    )
    def get(self, request, identifier: str):
        licence = self.licence(request, identifier)
        reveal = reveal_of(request.query_params.get("reveal"))
        return bundle_response(licence, reveal, request.user, "下载离线核验包（接口）")


class MyLicenceShares(HolderLicenceMixin, APIView):
    @extend_schema(
        summary="生成一次性分享链接",
        description="链接只能打开一次，到期失效；只返回这一次（系统只保存其摘要）。",
        request=s.HolderShareRequest,
        responses={
            201: s.HolderShareCreated,
            400: OpenApiResponse(ApiErrors, description="输入有误，field指明字段"),
            401: NOT_SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(ApiErrors, description="证照不是有效状态，不能分享"),
        },
        tags=TAGS,
    )
    def post(self, request, identifier: str):
        licence = self.licence(request, identifier)
        body = s.HolderShareRequest(data=request.data)
        body.is_valid(raise_exception=True)
        created = sharing.create_share(licence, request.user, **body.validated_data)
        payload = {"url": created.url, "expires_at": created.share.expires_at}
        response = Response(s.HolderShareCreated(payload).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response
