"""``GET /api/v1/cases/<number>/progress?applicant_id=`` (public contract, docs/api.md).

A wrong pair and an unknown number look the same (404), so the endpoint tells a guesser
nothing; it is throttled per client address on top of the site-wide anonymous rate.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.core.api.errors import NotFound
from govhall.core.api.serializers import ApiErrors
from govhall.core.errors import refuse

from ...services import queries
from ..serializers.progress import CaseProgress
from ..throttles import ProgressThrottle

NOT_MATCHED = "未找到该办件：办件编号不存在，或与申请人证件号码不匹配。"


class CaseProgressView(APIView):
    """Status, current step, steps done and due date of a case, for its applicant."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [*APIView.throttle_classes, ProgressThrottle]

    @extend_schema(
        summary="办件进度查询（公开）",
        parameters=[
            OpenApiParameter(
                "applicant_id",
                str,
                required=True,
                description="申请人身份证号码（自然人）或统一社会信用代码（法人）",
            )
        ],
        responses={
            200: CaseProgress,
            400: OpenApiResponse(ApiErrors, description="未提供applicant_id"),
            404: OpenApiResponse(ApiErrors, description="办件不存在或与证件号码不匹配"),
            429: OpenApiResponse(ApiErrors, description="查询过于频繁"),
        },
        tags=["cases"],
    )
    def get(self, request, number: str):
        applicant_id = request.query_params.get("applicant_id", "").strip()
        if not applicant_id:
            raise refuse(
                "applicant_id",
                "required",
                "请提供applicant_id（申请人身份证号码或统一社会信用代码）。",
            )
        case = queries.find_for_progress(number, applicant_id)
        if case is None:
            raise NotFound(NOT_MATCHED)
        return Response(CaseProgress(queries.progress(case)).data)
