"""Public licence endpoints (no sign-in): verification (public contract), the published issuer keys
and signed revocation list for offline verifiers, and the licence-type catalogue.

Verification is throttled per client address; keys and revocations are cacheable
(``ETag``, ``Cache-Control: public, max-age=300``) so verifiers and CDNs may keep them.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.core.api.errors import NotFound
from govhall.core.errors import NON_FIELD, refuse
from govhall.operations.throttling import AnonRateThrottle
from govhall.regions.models import Region

from ..models import LicenceType
from ..services import catalogue, publication
from . import serializers as s

CACHE_CONTROL = f"public, max-age={publication.CACHE_SECONDS}"


class VerifyThrottle(AnonRateThrottle):
    """Per client address, signed in or not; ``licence_verify`` in the REST_FRAMEWORK
    rates overrides the default of 60 a minute."""

    scope = "licence_verify"
    default_rate = "60/minute"

    def get_rate(self):
        rates = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {})
        return rates.get(self.scope) or self.default_rate

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]


def cacheable(request, data: dict, etag: str) -> Response:
    """200 with the data, or 304 when the caller already holds this version."""
    sent = {
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("If-None-Match", "").split(",")
    }
    response = Response(status=304) if etag in sent else Response(data)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


class LicenceVerifyView(PublicView):
    """Check a licence by its identifier or the content of its QR code."""

    throttle_classes = [*APIView.throttle_classes, VerifyThrottle]

    @extend_schema(
        summary="电子证照核验（公开）",
        description=(
            "提交证照标识（identifier）或二维码内容（payload，可为 GHL1.… 签名载荷或含 ?p= 的"
            "核验网址），二者取其一。返回脱敏的持证主体、证照类型、颁证单位、有效期、状态和签名"
            "核验结果。status：valid 有效；revoked 已注销；expired 已过期；superseded 该版本已被"
            "新版本替代（current_identifier 为现行版本）；unknown 查无此证或二维码签名不符（见"
            "reason）。格式错误的标识或二维码内容返回400。核验不记录查询人的任何信息。"
        ),
        request=s.VerifyRequest,
        responses={
            200: s.VerifyResult,
            400: OpenApiResponse(s.LicenceApiErrors, description="未提供或格式错误，field指明字段"),
            429: OpenApiResponse(s.LicenceApiErrors, description="查询过于频繁"),
        },
        tags=["licences"],
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise refuse(NON_FIELD, "invalid", "请求体须为JSON对象。")
        body = s.VerifyRequest(data=request.data)
        body.is_valid(raise_exception=True)
        payload, identifier = body.validated_data["payload"], body.validated_data["identifier"]
        if payload:
            answer = publication.verify_public(payload, field="payload", channel="api")
        elif identifier:
            answer = publication.verify_public(identifier, field="identifier", channel="api")
        else:
            raise refuse(
                "identifier",
                "required",
                "请提供“identifier”（证照标识）或“payload”（二维码内容），二者取其一。",
            )
        return Response(s.VerifyResult(s.verify_payload(answer)).data)


class IssuerListView(PublicView):
    """Every issuer key, active and retired, and the platform root key."""

    @extend_schema(
        summary="签发密钥公示（公开）",
        description=(
            "全部签发部门的SM2公钥（含已停用的，旧证照仍可核验）及平台根密钥（签署吊销列表）。"
            "签名算法SM2-SM3，签名者标识1234567812345678。可缓存（ETag）。"
        ),
        responses={200: s.IssuerList, 304: OpenApiResponse(description="未变化")},
        tags=["licences"],
    )
    def get(self, request):
        data = s.IssuerList(publication.issuers_document()).data
        return cacheable(request, data, publication.etag_of(data))


class RevocationListView(PublicView):
    """The signed list of revoked licences."""

    @extend_schema(
        summary="已注销证照列表（公开，已签名）",
        description=(
            "list 为规范化JSON文本，signature 为平台根密钥（key_id，见签发密钥公示）对其UTF-8"
            "字节的SM2-SM3签名（DER，Base64），可离线缓存并用 openssl pkeyutl 验证。"
        ),
        responses={200: s.RevocationList, 304: OpenApiResponse(description="未变化")},
        tags=["licences"],
    )
    def get(self, request):
        signed = publication.revocation_list()
        data = {
            "list": signed.text,
            "signature": signed.signature,
            "key_id": signed.key_id,
            "algorithm": publication.ALGORITHM,
            "signer_id": publication.SIGNER_ID,
            "generated_at": signed.generated_at,
            "count": signed.count,
        }
        return cacheable(request, s.RevocationList(data).data, signed.etag)


@extend_schema(
    summary="电子证照目录（公开）",
    parameters=[OpenApiParameter("q", str, description="按证照类型名称检索")],
    tags=["licences"],
)
class LicenceTypeListView(generics.ListAPIView):
    """The active licence types, searchable by name."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = s.LicenceTypeSummary
    filter_backends = []
    queryset = LicenceType.objects.none()

    def get_queryset(self) -> QuerySet[LicenceType]:
        return catalogue.public_types(self.request.query_params.get("q", ""))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([s.type_summary(t) for t in page])


def region_param(request) -> Region | None:
    code = request.query_params.get("region", "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise refuse("region", "unknown", f"行政区划代码“{code[:20]}”不存在。")
    return region


class LicenceTypeDetailView(PublicView):
    """One licence type with its 发证清单 and 用证清单 from the published catalogue."""

    @extend_schema(
        summary="电子证照类型详情（公开）：照面信息项、发证清单、用证清单",
        parameters=[
            OpenApiParameter(
                "region", str, description="只列出该行政区划（含下辖）的事项，如 440700"
            )
        ],
        responses={
            200: s.LicenceTypeDetail,
            400: OpenApiResponse(s.LicenceApiErrors, description="行政区划代码不存在"),
            404: OpenApiResponse(s.LicenceApiErrors, description="证照类型不存在"),
        },
        tags=["licences"],
    )
    def get(self, request, code: str):
        licence_type = LicenceType.objects.filter(code=code.strip().upper(), is_active=True).first()
        if licence_type is None:
            raise NotFound("证照类型不存在。", field="code")
        lists = catalogue.lists_of(licence_type, region_param(request))
        return Response(s.LicenceTypeDetail(s.type_detail(licence_type, lists)).data)
