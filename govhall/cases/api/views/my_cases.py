"""The applicant's cases and messages: ``/api/v1/my/…`` (session or bearer token).

Cases come from ``access.applicant_cases`` only, so another person's (or another
company's) case is "not found", whatever its number.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from govhall.accounts.api.auth import identity_of
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.serializers import ApiErrors
from govhall.core.errors import refuse

from ...models import Case, CaseState, Notification
from ...services import access, applicant, applications, auto_approval
from ..filters import state_filter
from ..serializers import cases as s
from . import CASE_NOT_FOUND
from .applications import ApplicantAPIView

ACTION_ERRORS = {
    400: OpenApiResponse(ApiErrors, description="输入有误，field指明字段"),
    403: OpenApiResponse(ApiErrors, description="当前办事身份无权办理该办件"),
    404: OpenApiResponse(ApiErrors, description="办件不存在或不属于当前办事身份"),
    409: OpenApiResponse(
        ApiErrors, description="办件当前状态不允许该操作（transition_not_allowed）"
    ),
}


@extend_schema(
    summary="我的办件",
    parameters=[OpenApiParameter("state", str, enum=CaseState.values, description="办件状态")],
    tags=["my-cases"],
)
class MyCaseList(generics.ListAPIView):
    """The acting identity's cases, newest first."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = s.CaseSummary
    filter_backends = []
    queryset = Case.objects.none()

    def get_queryset(self):
        rows = access.applicant_cases(identity_of(self.request)).select_related("department")
        return state_filter(rows, self.request).order_by("-submitted_at", "-pk")


class MyCaseView(ApplicantAPIView):
    """Base of the views on one of the applicant's cases."""

    def case(self, request, number: str) -> Case:
        case = (
            access.applicant_cases(identity_of(request))
            .select_related("department", "bundle_case")
            .filter(number=number)
            .first()
        )
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        return case

    def detail(self, request, number: str) -> Response:
        case = self.case(request, number)
        return Response(
            s.ApplicantCaseDetail(s.applicant_case_payload(identity_of(request), case)).data
        )


class MyCaseDetail(MyCaseView):
    """Progress, decision, open correction notice, rating and the actions open now."""

    @extend_schema(
        summary="我的办件详情",
        responses={200: s.ApplicantCaseDetail, 404: ACTION_ERRORS[404]},
        tags=["my-cases"],
    )
    def get(self, request, number: str):
        return self.detail(request, number)


class MyCaseCorrection(MyCaseView):
    """补正: every material the one-time notice lists, as files named by material key."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="提交补正材料",
        description="multipart/form-data：每份材料一个文件字段，字段名为一次性告知中的material_code。",
        request={"multipart/form-data": s.CorrectionUpload},
        responses={200: s.ApplicantCaseDetail, **ACTION_ERRORS},
        tags=["my-cases"],
    )
    def post(self, request, number: str):
        case = self.case(request, number)
        identity = identity_of(request)
        body = s.CorrectionRequest(data=request.data)
        body.is_valid(raise_exception=True)
        # The locker rows and the correction commit together, or not at all.
        with transaction.atomic():
            files = {key: _store(identity, key, upload) for key, upload in request.FILES.items()}
            applicant.submit_correction(
                case, identity, files=files, note=body.validated_data["note"]
            )
        return self.detail(request, number)


def _store(identity, key: str, upload):
    """Put one correction file in the locker; a refusal names the material it was for."""
    try:
        return applications.store_file(
            identity.user, upload, title=key.split(":", 1)[-1], kind=key, company=identity.company
        )
    except ValidationError as exc:
        (problem,) = exc.error_dict["file"]
        raise refuse(f"materials.{key}", problem.code, problem.messages[0]) from None


class MyCaseWithdraw(MyCaseView):
    """撤回 before the decision, with a reason."""

    @extend_schema(
        summary="撤回申请",
        request=s.WithdrawRequest,
        responses={200: s.ApplicantCaseDetail, **ACTION_ERRORS},
        tags=["my-cases"],
    )
    def post(self, request, number: str):
        case = self.case(request, number)
        body = s.WithdrawRequest(data=request.data)
        body.is_valid(raise_exception=True)
        applicant.withdraw(case, identity_of(request), reason=body.validated_data["reason"])
        return self.detail(request, number)


class MyCaseRating(MyCaseView):
    """好差评 once the case is concluded; a bad rating needs a comment."""

    @extend_schema(
        summary="评价（好差评）",
        request=s.RatingRequest,
        responses={200: s.ApplicantCaseDetail, **ACTION_ERRORS},
        tags=["my-cases"],
    )
    def post(self, request, number: str):
        case = self.case(request, number)
        body = s.RatingRequest(data=request.data)
        body.is_valid(raise_exception=True)
        applicant.rate(case, identity_of(request), **body.validated_data)
        return self.detail(request, number)


class MyCaseReviewRequest(MyCaseView):
    """Ask a person to review an automatic (秒批) decision within the time limit."""

    @extend_schema(
        summary="对秒批决定申请人工复核",
        request=s.ReviewRequest,
        responses={200: s.ApplicantCaseDetail, **ACTION_ERRORS},
        tags=["my-cases"],
    )
    def post(self, request, number: str):
        case = self.case(request, number)
        body = s.ReviewRequest(data=request.data)
        body.is_valid(raise_exception=True)
        auto_approval.request_review(
            case, identity_of(request), reason=body.validated_data["reason"]
        )
        return self.detail(request, number)


@extend_schema(summary="我的消息", tags=["my-cases"])
class MyNotificationList(generics.ListAPIView):
    """The signed-in user's site messages, newest first."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = s.NotificationOut
    filter_backends = []
    queryset = Notification.objects.none()

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user).order_by("-created_at", "-pk")
