"""The inbound exchange API (public contract, docs/api.md "Exchange"): pushing process records, the
sender's quality feedback, and the published JSON Schema files.

Every call of the client endpoints — refused ones too (401, 403, 429, 400) — is logged as
an ``ExchangeCall`` with its counts and duration.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_ipv46_address
from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.core.api.errors import error, error_response
from govhall.core.api.pagination import StandardPagination
from govhall.core.api.parsers import JSONParser
from govhall.core.errors import refuse

from ..models import ExchangeCall, QualityCheck
from ..services import ingest, quality, spec
from . import serializers as s
from .auth import TOKEN_REQUIRED, ClientRateThrottle, ExchangeTokenAuthentication, IsExchangeClient

logger = logging.getLogger(__name__)

# A full batch of 1,000 records is 1–3 MB; anything far larger is refused unread.
MAX_BODY_BYTES = 20 * 1024 * 1024
SCHEMA_CACHE_CONTROL = "public, max-age=3600"

CLIENT_ERRORS = {
    401: OpenApiResponse(s.ExchangeApiErrors, description="缺少或无效的访问令牌"),
    403: OpenApiResponse(
        s.ExchangeApiErrors,
        description="令牌不属于数据交换客户端、缺少exchange授权范围，或客户端已停用",
    ),
    429: OpenApiResponse(s.ExchangeApiErrors, description="超过本客户端每分钟调用上限"),
}


def _address(request) -> str | None:
    value = request.META.get("REMOTE_ADDR") or ""
    try:
        validate_ipv46_address(value)
    except DjangoValidationError:
        return None
    return value


class ExchangeClientView(APIView):
    """Base of the client endpoints: bearer token, client permission, per-client rate
    limit, error shape, and one ``ExchangeCall`` per call."""

    authentication_classes = [ExchangeTokenAuthentication]
    permission_classes = [IsExchangeClient]
    throttle_classes = [ClientRateThrottle]

    def dispatch(self, request, *args, **kwargs):
        self._started = time.perf_counter()
        self.exchange_client = None
        self.call_counts: dict[str, int] = {}
        return super().dispatch(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(TOKEN_REQUIRED, code="token_required")
        super().permission_denied(request, message, code)

    def throttled(self, request, wait):
        client = self.exchange_client
        seconds = int(wait or 0) + 1
        refusal = exceptions.Throttled(
            detail=(
                f"调用过于频繁：客户端“{client.code}”每分钟最多调用"
                f"{client.rate_per_minute}次，请{seconds}秒后再试。"
            ),
            code="rate_limited",
        )
        refusal.wait = seconds  # → Retry-After (the detail stays all Chinese)
        raise refusal

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self._log_call(request, response)
        return response

    def _log_call(self, request, response) -> None:
        message = ""
        data = getattr(response, "data", None)
        if response.status_code >= 400 and isinstance(data, dict) and data.get("errors"):
            first = data["errors"][0]
            message = f"{first.get('field', '')}: {first.get('message', '')}"
        elif getattr(self, "first_error", ""):  # a 200 batch with refused records in it
            message = self.first_error
        duration = int(
            (time.perf_counter() - getattr(self, "_started", time.perf_counter())) * 1000
        )
        counts = getattr(self, "call_counts", {})
        try:
            ExchangeCall.objects.create(
                client=getattr(self, "exchange_client", None),
                method=request.method[:8],
                path=request.path[:200],
                status_code=response.status_code,
                records=counts.get("records", 0),
                accepted=counts.get("accepted", 0),
                duplicates=counts.get("duplicates", 0),
                rejected=counts.get("rejected", 0),
                duration_ms=duration,
                remote_addr=_address(request),
                error=message[:500],
            )
        except DatabaseError:  # the answer stands; the log line says what was lost
            logger.exception("exchange call not logged: %s %s", request.method, request.path)


class BatchParser(JSONParser):
    """A full batch is larger than the site-wide limit on request bodies."""

    max_bytes = MAX_BODY_BYTES


class ProcessRecordsView(ExchangeClientView):
    parser_classes = [BatchParser]

    @extend_schema(
        summary="报送办件过程信息（数据交换）",
        description=(
            "以客户端凭证令牌（scope=exchange）报送一批（1至1000条）办件过程信息，格式见 "
            "/api/v1/exchange/schemas/process-record-1.0.json 和 docs/exchange.md。每条单独校验："
            "accepted 已接收；duplicate 该 record_id 已接收过（幂等，不重复入库；内容不一致时另记"
            "数据质量问题）；rejected 拒收，errors 按字段路径列出中文原因。一条拒收不影响其他各条。"
            "请求体格式错误或超过1000条时整批拒收（400，field 为 records）。接收的记录经数据质量"
            "检查，结果见 GET /api/v1/exchange/quality。"
        ),
        request=s.ProcessRecordBatch,
        responses={
            200: s.IngestResponse,
            400: OpenApiResponse(s.ExchangeApiErrors, description="请求体格式错误或超过1000条"),
            **CLIENT_ERRORS,
        },
        tags=["exchange"],
    )
    def post(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            return error_response(
                [error("records", "body_too_large", "请求体过大（超过20MB），请分批报送。")], 413
            )
        records = spec.batch_records(request.data)
        self.call_counts["records"] = len(records)
        results = ingest.ingest(self.exchange_client, records)
        counts = {
            "accepted": sum(1 for r in results if r.status == ingest.ACCEPTED),
            "duplicates": sum(1 for r in results if r.status == ingest.DUPLICATE),
            "rejected": sum(1 for r in results if r.status == ingest.REJECTED),
        }
        self.call_counts.update(counts)
        refused = next((r for r in results if r.status == ingest.REJECTED), None)
        if refused is not None:
            path, messages = next(iter(refused.errors.items()), ("", [""]))
            self.first_error = (
                f"第{refused.index}条（{refused.record_id or '无record_id'}）拒收："
                f"{path}：{messages[0] if messages else ''}"
            )
        return Response({**counts, "results": [r.as_dict() for r in results]})


def _day_param(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise refuse("day", "invalid", "“day”须为日期（YYYY-MM-DD）。") from None


def _day_out(row) -> dict:
    return {
        "day": row.day,
        "received": row.received,
        "accepted": row.accepted,
        "duplicates": row.duplicates,
        "rejected": row.rejected,
        "late": row.late,
        "with_issues": row.with_issues,
        "score": row.score,
    }


REJECTED_SHOWN = 100  # the newest refused records (of ``day`` when given)


class QualityView(ExchangeClientView):
    @extend_schema(
        summary="本客户端的数据质量反馈",
        description=(
            "调用方（数据交换客户端）最近30天每日的接收、重复、拒收、迟报和有问题记录数及质量"
            "得分，数据质量问题清单（分页，由新到旧；day 只看该报送日期，rule 只看该检查项），"
            "以及最近100条拒收记录（rejected_records：批内序号、record_id、办件编号和按字段列出"
            "的原因，更正后以新的报送重发；day 同样适用）。"
        ),
        parameters=[
            OpenApiParameter("day", OpenApiTypes.DATE, description="报送日期 YYYY-MM-DD"),
            OpenApiParameter(
                "rule",
                OpenApiTypes.STR,
                enum=QualityCheck.values,
                description="检查项："
                + "；".join(f"{v} {label}" for v, label in QualityCheck.choices),
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: s.QualityReport,
            400: OpenApiResponse(s.ExchangeApiErrors, description="day 或 rule 无效"),
            **CLIENT_ERRORS,
        },
        tags=["exchange"],
    )
    def get(self, request):
        client = self.exchange_client
        day = _day_param(request.query_params.get("day", "").strip())
        rule = request.query_params.get("rule", "").strip()
        if rule and rule not in QualityCheck.values:
            raise refuse("rule", "invalid_choice", "“rule”不是有效的检查项。")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(
            quality.issues_of(client, day=day, rule=rule), request, view=self
        )
        today = quality.day_of(client, timezone.localdate())
        report = {
            "client": client.code,
            "today": _day_out(today) if today else None,
            "days": [_day_out(row) for row in quality.recent_days(client)],
            "issues": {
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": s.QualityIssueOut(page, many=True).data,
            },
            "rejected_records": s.RejectedRecordOut(
                quality.rejected_of(client, day=day)[:REJECTED_SHOWN], many=True
            ).data,
        }
        return Response(report)


class SchemaFileView(APIView):
    """The exchange format's JSON Schema files, public and read-only."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="交换格式的JSON Schema文件（公开）",
        description=(
            "process-record-1.0.json：一条办件过程信息；process-record-batch-1.0.json：批量报送的"
            "请求体。JSON Schema draft 2020-12，可缓存（ETag）。"
        ),
        responses={
            (200, "application/schema+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="JSON Schema 文件"
            ),
            304: OpenApiResponse(description="未变化"),
            404: OpenApiResponse(s.ExchangeApiErrors, description="没有这个文件"),
        },
        tags=["exchange"],
    )
    def get(self, request, name: str):
        if name not in spec.schema_names():
            raise Http404
        content = spec.schema_bytes(name)
        etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
        sent = {
            t.strip().removeprefix("W/")
            for t in request.headers.get("If-None-Match", "").split(",")
        }
        response = (
            HttpResponseNotModified()
            if etag in sent
            else HttpResponse(content, content_type="application/schema+json; charset=utf-8")
        )
        response["ETag"] = etag
        response["Cache-Control"] = SCHEMA_CACHE_CONTROL
        return response
