"""``POST /api/v1/ratings``: the applicant rates a concluded case (好差评), or — once the
department has rectified a bad rating — rates it again; ``/api/v1/supervision/follow-ups``
for the departments following bad ratings up."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import identity_of, staff_only
from govhall.cases.services import access as case_access
from govhall.cases.services import applicant
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.pagination import StandardPagination
from govhall.core.errors import Problem, Refusal, refuse
from govhall.records.models import ProcessRecord

from ..models import BAD_RATING_TAGS, FollowUpState, RatingFollowUp
from ..services import followups
from ..services.rules import RuleBook
from . import serializers as s

CASE_NOT_FOUND = "办件不存在，或不是您的办件。"


def _follow_up_out(follow_up: RatingFollowUp | None) -> dict | None:
    return s.FollowUpOut(follow_up).data if follow_up else None


class RatingView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.RatingSubmission,
        responses={201: s.RatingAnswer, 200: s.RatingAnswer},
        summary="好差评：评价已办结的办件；差评整改后可复评",
        tags=["supervision"],
    )
    def post(self, request):
        body = s.RatingSubmission(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        identity = identity_of(request)
        case = case_access.applicant_cases(identity).filter(number=data["case_number"]).first()
        if case is None:
            raise NotFound(CASE_NOT_FOUND, field="case_number")
        unknown = [t for t in data["tags"] if t not in BAD_RATING_TAGS]
        if unknown:
            raise Refusal(
                Problem("tags", "choice", f"“{t}”不是差评标签；可选：" + "、".join(BAD_RATING_TAGS))
                for t in unknown
            )
        pending = (
            RatingFollowUp.objects.filter(case_number=case.number, state=FollowUpState.RECTIFIED)
            .order_by("-rated_at")
            .first()
        )
        if pending is not None:
            follow_up = followups.rerate(pending, data["level"])
            return Response(
                {
                    "case_number": case.number,
                    "level": follow_up.rerated_level,
                    "rerating": True,
                    "follow_up": _follow_up_out(follow_up),
                }
            )
        if data["level"] < 4 and data["tags"]:
            raise refuse("tags", "only_bad", "差评标签只用于“不满意”和“非常不满意”。")
        with transaction.atomic():
            rating = applicant.rate(
                case,
                identity,
                level=data["level"],
                comment=data["comment"],
                channel=data["channel"],
                tags=data["tags"],
            )
            # A bad rating is followed up at once, not at the next periodic run (the
            # run finds the follow-up there: one per rating record).
            record = (
                ProcessRecord.objects.filter(case_number=case.number, event="rate")
                .order_by("-pk")
                .first()
            )
            followups.open_from_records([record], RuleBook())
        follow_up = RatingFollowUp.objects.filter(case_number=case.number).first()
        return Response(
            {
                "case_number": case.number,
                "level": rating.level,
                "rerating": False,
                "follow_up": _follow_up_out(follow_up),
            },
            status=status.HTTP_201_CREATED,
        )


IsSupervisionStaff = staff_only("效能监督")


class FollowUpListView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=FollowUpState.values)],
        responses=s.FollowUpOut(many=True),
        summary="差评回访整改",
        tags=["supervision"],
    )
    def get(self, request):
        rows = followups.visible(request.user)
        state = request.query_params.get("state", "").strip()
        if state:
            if state not in FollowUpState.values:
                raise refuse(
                    "state", "choice", "“状态”（state）须为" + "、".join(FollowUpState.values)
                )
            rows = rows.filter(state=state)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.FollowUpOut(page, many=True).data)


ACTIONS = {"callback": followups.record_callback, "rectify": followups.rectify}


class FollowUpActionView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        request=s.FollowUpActionIn,
        responses=s.FollowUpOut,
        summary="记录回访（callback）或反馈整改情况（rectify）",
        tags=["supervision"],
    )
    def post(self, request, pk: int, action: str):
        body = s.FollowUpActionIn(data=request.data)  # the body first: bad input is a 400
        body.is_valid(raise_exception=True)
        follow_up = followups.visible(request.user).filter(pk=pk).first()
        if follow_up is None:
            raise NotFound("差评回访不存在，或不在您的查看范围内。", field="id")
        if action not in ACTIONS:
            raise refuse("action", "choice", "操作须为callback或rectify。")
        follow_up = ACTIONS[action](request.user, follow_up, body.validated_data["note"])
        return Response(s.FollowUpOut(follow_up).data)


class MyRatingView(APIView):
    """The rater's view of their rating: how the department followed it up (回访 and
    rectification), so they can re-rate."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=s.RatingAnswer, summary="我的评价及差评回访整改情况", tags=["supervision"]
    )
    def get(self, request, number: str):
        case = case_access.applicant_cases(identity_of(request)).filter(number=number).first()
        rating = getattr(case, "rating", None) if case is not None else None
        if rating is None:
            raise NotFound("办件不存在、不是您的办件或尚未评价。", field="case_number")
        follow_up = RatingFollowUp.objects.filter(case_number=case.number).first()
        return Response(
            {
                "case_number": case.number,
                "level": rating.level,
                "rerating": bool(follow_up and follow_up.rerated_level),
                "follow_up": _follow_up_out(follow_up),
            }
        )
