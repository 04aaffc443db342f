"""``/api/v1/complaints``: filing a complaint (public), the complainant's view by number
and query code, and rating the answer; ``/api/v1/supervision/complaints`` for the
departments handling them and their supervisors (see docs/api.md)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.pagination import StandardPagination

from ..models import Complaint
from ..services import access, complaints
from . import serializers as s

NOT_FOUND = "投诉编号与查询码不匹配。"
STAFF_NOT_FOUND = "投诉不存在，或不在您的查看范围内。"


def _status(complaint: Complaint) -> dict:
    return {
        "number": complaint.number,
        "state": complaint.state,
        "state_label": complaint.get_state_display(),
        "routed_to": complaint.department.name,
        "received_at": complaint.received_at,
        "due_date": complaint.due_date,
        "answer": complaint.answer,
        "answered_at": complaint.answered_at,
        "rating": complaint.rating,
    }


class ComplaintCreateView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        request=s.ComplaintIn,
        responses={201: s.ComplaintFiled},
        summary="我要投诉：未登录时须提供手机号码和短信验证码",
        tags=["supervision"],
    )
    def post(self, request):
        body = s.ComplaintIn(data=request.data)
        body.is_valid(raise_exception=True)
        complaint, query_code = complaints.file(body.validated_data, user=request.user)
        return Response(
            {
                "number": complaint.number,
                "query_code": query_code,
                "due_date": complaint.due_date,
                "routed_to": complaint.department.name,
            },
            status=status.HTTP_201_CREATED,
        )


class ComplaintCodeView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        request=s.PhoneIn,
        responses={202: None},
        summary="发送投诉用的短信验证码",
        tags=["supervision"],
    )
    def post(self, request):
        body = s.PhoneIn(data=request.data)
        body.is_valid(raise_exception=True)
        complaints.send_code(body.validated_data["phone"])
        return Response({"sent": True}, status=status.HTTP_202_ACCEPTED)


def _own(number: str, query_code: str) -> Complaint:
    complaint = complaints.find(number, query_code or "")
    if complaint is None:
        raise NotFound(NOT_FOUND, field="query_code")
    return complaint


class ComplaintStatusView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("query_code", str, required=True)],
        responses=s.ComplaintStatus,
        summary="投诉人查询办理进度和答复",
        tags=["supervision"],
    )
    def get(self, request, number: str):
        return Response(_status(_own(number, request.query_params.get("query_code", ""))))


class ComplaintRatingView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(
        request=s.ComplaintRatingIn,
        responses=s.ComplaintStatus,
        summary="投诉人评价答复",
        tags=["supervision"],
    )
    def post(self, request, number: str):
        body = s.ComplaintRatingIn(data=request.data)
        body.is_valid(raise_exception=True)
        complaint = _own(number, body.validated_data["query_code"])
        complaints.rate(complaint, body.validated_data["level"])
        complaint.refresh_from_db()
        return Response(_status(complaint))


IsSupervisionStaff = staff_only("效能监督")


class StaffComplaintListView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["handling", "answered", "rated"])],
        responses=s.ComplaintStaffOut(many=True),
        summary="承办部门和效能监督人员查看投诉",
        tags=["supervision"],
    )
    def get(self, request):
        rows = access.complaints_for(request.user).select_related("department")
        state = request.query_params.get("state", "").strip()
        if state:
            rows = rows.filter(state=state)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.ComplaintStaffOut(page, many=True).data)


def _staff_complaint(request, number: str) -> Complaint:
    complaint = (
        access.complaints_for(request.user)
        .select_related("department")
        .filter(number=number)
        .first()
    )
    if complaint is None:
        raise NotFound(STAFF_NOT_FOUND, field="number")
    return complaint


class StaffComplaintAnswerView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        request=s.AnswerIn,
        responses=s.ComplaintStaffOut,
        tags=["supervision"],
        summary="承办部门答复投诉",
    )
    def post(self, request, number: str):
        body = s.AnswerIn(data=request.data)  # the body first: bad input is a 400
        body.is_valid(raise_exception=True)
        complaint = _staff_complaint(request, number)
        complaints.answer(request.user, complaint, body.validated_data["answer"])
        return Response(s.ComplaintStaffOut(_staff_complaint(request, number)).data)


class StaffComplaintForwardView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsSupervisionStaff]

    @extend_schema(
        request=s.ForwardIn,
        responses=s.ComplaintStaffOut,
        tags=["supervision"],
        summary="效能监督人员交办投诉",
    )
    def post(self, request, number: str):
        body = s.ForwardIn(data=request.data)  # the body first: bad input is a 400
        body.is_valid(raise_exception=True)
        complaint = _staff_complaint(request, number)
        complaints.forward(
            request.user,
            complaint,
            body.validated_data["department"],
            body.validated_data.get("note", ""),
        )
        return Response(s.ComplaintStaffOut(_staff_complaint(request, number)).data)
