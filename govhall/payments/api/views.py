"""Payments API: the applicant's (and a channel's on their behalf) and the staff's, plus the
gateways' notification endpoint. docs/api.md, "Payments (§9)"."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import identity_of, staff_only
from govhall.cases.api.views.my_cases import MyCaseView
from govhall.cases.services import access
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound

from ..gateways import base as gateways
from ..models import FeeAssessment, PaymentOrder, ReconciliationRun
from ..services import assessment as assessing
from ..services import documents, orders, reconciliation, refunds
from . import serializers as s

NO_FEE = "该办件没有核定收费。"
NO_ORDER = "缴费订单不存在，或不属于当前办事身份。"


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    # RFC 6266 with an RFC 5987 UTF-8 name: a Chinese name must not break the header.
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def fee_payload(case) -> dict:
    found = FeeAssessment.objects.filter(case=case).select_related("department", "case").first()
    fees = assessing.catalogue_fees(case)
    return {
        "case_number": case.number,
        "has_fee": bool(fees),
        "assessment": s.assessment_payload(found) if found else None,
        "catalogue": [
            {
                "name": f.name,
                "standard": f.standard,
                "amount_fen": None if f.amount is None else int(f.amount * 100),
                "basis": f.basis,
                "reducible": f.reducible,
                "reduction_conditions": f.reduction_conditions,
            }
            for f in fees
        ],
    }


class MyFee(MyCaseView):
    @extend_schema(
        summary="办件收费（核定、缴款码、当前订单）", responses=s.FeeOut, tags=["payments"]
    )
    def get(self, request, number: str):
        return Response(s.FeeOut(fee_payload(self.case(request, number))).data)


class MyAssessedCase(MyCaseView):
    def assessment(self, request, number: str) -> FeeAssessment:
        found = (
            FeeAssessment.objects.filter(case=self.case(request, number))
            .select_related("case", "department")
            .first()
        )
        if found is None:
            raise NotFound(NO_FEE)
        return found


class MyFeeNotice(MyAssessedCase):
    @extend_schema(
        summary="缴款通知书（PDF，签章）",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        tags=["payments"],
    )
    def get(self, request, number: str):
        found = self.assessment(request, number)
        return _pdf(documents.notice_pdf(found), f"缴款通知书-{found.payment_code}.pdf")


class MyFeeReceipt(MyAssessedCase):
    @extend_schema(
        summary="电子票据（PDF，签章）",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        tags=["payments"],
    )
    def get(self, request, number: str):
        found = self.assessment(request, number)
        return _pdf(documents.receipt_pdf(found), f"电子票据-{found.receipt_number or number}.pdf")


class MyFeeOrders(MyAssessedCase):
    @extend_schema(
        summary="发起缴费（创建支付订单；重复请求返回同一待支付订单）",
        request=s.OrderCreate,
        responses={200: s.OrderOut},
        tags=["payments"],
    )
    def post(self, request, number: str):
        body = s.OrderCreate(data=request.data)  # the input first, whichever case it names
        body.is_valid(raise_exception=True)
        found = self.assessment(request, number)
        order = orders.open_order(
            found, identity_of(request).user, channel=body.validated_data.get("channel", "")
        )
        return Response(s.OrderOut(s.order_payload(order)).data)


class MyOrderView(MyCaseView):
    def order(self, request, order_number: str) -> PaymentOrder:
        cases = access.applicant_cases(identity_of(request))
        order = (
            PaymentOrder.objects.filter(order_number=order_number, assessment__case__in=cases)
            .select_related("assessment__case")
            .first()
        )
        if order is None:
            raise NotFound(NO_ORDER)
        return order


class MyOrder(MyOrderView):
    @extend_schema(
        summary="缴费订单状态",
        parameters=[OpenApiParameter("refresh", bool, description="为true时先向支付平台查询")],
        responses=s.OrderOut,
        tags=["payments"],
    )
    def get(self, request, order_number: str):
        order = self.order(request, order_number)
        if request.query_params.get("refresh") in ("1", "true") and order.state == "pending":
            order = orders.refresh(order)
        return Response(s.OrderOut(s.order_payload(order)).data)


class MyOrderCancel(MyOrderView):
    parser_classes = []  # no body: nothing to parse

    @extend_schema(summary="取消待支付订单", request=None, responses=s.OrderOut, tags=["payments"])
    def post(self, request, order_number: str):
        order = orders.cancel(self.order(request, order_number))
        return Response(s.OrderOut(s.order_payload(order)).data)


# --- staff ----------------------------------------------------------------------------------


class StaffView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("收费与退款")]

    def order(self, request, order_number: str) -> PaymentOrder:
        cases = access.staff_cases(request.user)
        order = (
            PaymentOrder.objects.filter(order_number=order_number, assessment__case__in=cases)
            .select_related("assessment__case")
            .first()
        )
        if order is None:
            raise NotFound("缴费订单不存在，或不在您的办理范围内。")
        return order


class StaffAssessment(StaffView):
    @extend_schema(
        summary="按案情核定收费（工作人员）",
        request=s.StaffAssessmentIn,
        responses=s.AssessmentOut,
        tags=["payments-staff"],
    )
    def post(self, request, number: str):
        case = access.staff_cases(request.user).filter(number=number).first()
        if case is None:
            raise NotFound("办件不存在，或不在您的办理范围内。")
        body = s.StaffAssessmentIn(data=request.data)
        body.is_valid(raise_exception=True)
        found = assessing.assess_by_staff(
            case, request.user, lines=body.validated_data["lines"], rule=body.validated_data["rule"]
        )
        return Response(s.AssessmentOut(s.assessment_payload(found)).data)


class StaffOrder(StaffView):
    @extend_schema(summary="缴费订单（工作人员）", responses=s.OrderOut, tags=["payments-staff"])
    def get(self, request, order_number: str):
        return Response(s.OrderOut(s.order_payload(self.order(request, order_number))).data)


class StaffRefunds(StaffView):
    @extend_schema(
        summary="退款（全额或部分）",
        request=s.RefundCreate,
        responses=s.OrderOut,
        tags=["payments-staff"],
    )
    def post(self, request, order_number: str):
        body = s.RefundCreate(data=request.data)  # the input first, whichever order it names
        body.is_valid(raise_exception=True)
        order = self.order(request, order_number)
        refunds.request_refund(order, request.user, **body.validated_data)
        order.refresh_from_db()
        return Response(s.OrderOut(s.order_payload(order)).data)


class Reconciliations(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("支付对账")]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        from ..views import may_reconcile

        if not may_reconcile(request.user):
            from govhall.core.errors import refuse

            raise refuse("user", "out_of_scope", "对账结果仅限大厅管理员和监督人员查看。")

    @extend_schema(
        summary="对账结果（最近30次）", responses=s.RunOut(many=True), tags=["payments-staff"]
    )
    def get(self, request):
        runs = ReconciliationRun.objects.prefetch_related("mismatches")[:30]
        return Response(s.RunOut(runs, many=True).data)

    @extend_schema(
        summary="对账（取某日对账单核对）",
        request=s.RunIn,
        responses=s.RunOut,
        tags=["payments-staff"],
    )
    def post(self, request):
        body = s.RunIn(data=request.data)
        body.is_valid(raise_exception=True)
        run = reconciliation.reconcile(body.validated_data["day"])
        return Response(s.RunOut(run).data)


# --- the gateways -----------------------------------------------------------------------------


class RawParser(BaseParser):
    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


@method_decorator(csrf_exempt, name="dispatch")
class Notify(APIView):
    """Where a gateway posts its asynchronous notifications; answers ``success`` once the
    notification is verified and applied (or known already), so the gateway stops."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    parser_classes = [RawParser]

    @extend_schema(exclude=True)
    def post(self, request, provider: str):
        body = request.body
        try:
            orders.handle_notification(provider, body, request.headers)
        except gateways.BadSignature:
            return HttpResponse("invalid signature", status=400, content_type="text/plain")
        except gateways.GatewayError as error:
            return HttpResponse(error.message, status=400, content_type="text/plain")
        return HttpResponse("success", content_type="text/plain")
