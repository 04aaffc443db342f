"""JSON of payments (docs/api.md, "Payments (§9)"). Every amount is an integer of fen."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ..models import FeeAssessment, PaymentOrder, Refund


class FeeLineOut(serializers.Serializer):
    name = serializers.CharField()
    standard = serializers.CharField(help_text="收费标准")
    basis = serializers.CharField(help_text="收费依据")
    quantity = serializers.IntegerField()
    unit_fen = serializers.IntegerField()
    reduction_fen = serializers.IntegerField(help_text="减免金额（分）")
    reduction_reason = serializers.CharField(allow_blank=True)
    amount_fen = serializers.IntegerField()


class RefundOut(serializers.Serializer):
    refund_number = serializers.CharField()
    amount_fen = serializers.IntegerField()
    reason = serializers.CharField()
    state = serializers.CharField(help_text="pending / succeeded / failed")
    requested_at = serializers.DateTimeField()
    succeeded_at = serializers.DateTimeField(allow_null=True)


class OrderOut(serializers.Serializer):
    order_number = serializers.CharField()
    case_number = serializers.CharField()
    state = serializers.CharField(help_text="pending / paid / closed / refunded")
    amount_fen = serializers.IntegerField()
    refunded_fen = serializers.IntegerField()
    provider = serializers.CharField()
    pay_url = serializers.CharField(help_text="支付页地址：跳转（H5/PC）或生成二维码（扫码）")
    qr_text = serializers.CharField(help_text="二维码内容（与pay_url相同）")
    expires_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    duplicate = serializers.BooleanField(help_text="重复支付，已原路全额退回")
    refunds = RefundOut(many=True)


class AssessmentOut(serializers.Serializer):
    case_number = serializers.CharField()
    state = serializers.CharField(help_text="due / paid / waived / cancelled")
    payment_code = serializers.CharField(help_text="20位缴款码")
    total_fen = serializers.IntegerField()
    refunded_fen = serializers.IntegerField()
    due_date = serializers.DateField(help_text="缴款期限")
    by_staff = serializers.BooleanField(help_text="按案情由工作人员核定")
    rule = serializers.CharField(allow_blank=True, help_text="核定规则")
    department = serializers.CharField(help_text="执收单位")
    lines = FeeLineOut(many=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    receipt_number = serializers.CharField(allow_blank=True)
    notice_url = serializers.CharField()
    receipt_url = serializers.CharField(allow_null=True)
    current_order = OrderOut(allow_null=True)


class FeeOut(serializers.Serializer):
    """A case's fee: assessed, or what the catalogue says before the assessment."""

    case_number = serializers.CharField()
    has_fee = serializers.BooleanField()
    assessment = AssessmentOut(allow_null=True)
    catalogue = serializers.ListField(child=serializers.DictField(), help_text="事项目录的收费项目")


class OrderCreate(serializers.Serializer):
    channel = serializers.CharField(required=False, allow_blank=True, max_length=40)


class RefundCreate(serializers.Serializer):
    amount_fen = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=300)


class StaffLineIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, default=1)
    unit_fen = serializers.IntegerField(min_value=0, required=False)
    reduction_fen = serializers.IntegerField(min_value=0, default=0)
    reduction_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class StaffAssessmentIn(serializers.Serializer):
    lines = StaffLineIn(many=True)
    rule = serializers.CharField(max_length=2000)


class MismatchOut(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    record_type = serializers.CharField()
    reference = serializers.CharField()
    gateway_fen = serializers.IntegerField(allow_null=True)
    platform_fen = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()


class RunOut(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    day = serializers.DateField()
    ran_at = serializers.DateTimeField()
    gateway_lines = serializers.IntegerField()
    platform_lines = serializers.IntegerField()
    matched = serializers.IntegerField()
    mismatches = MismatchOut(many=True, source="mismatches.all")


class RunIn(serializers.Serializer):
    day = serializers.DateField()


def refund_payload(refund: Refund) -> dict:
    return {
        "refund_number": refund.refund_number,
        "amount_fen": refund.amount_fen,
        "reason": refund.reason,
        "state": refund.state,
        "requested_at": refund.requested_at,
        "succeeded_at": refund.succeeded_at,
    }


def order_payload(order: PaymentOrder) -> dict:
    return {
        "order_number": order.order_number,
        "case_number": order.assessment.case.number,
        "state": order.state,
        "amount_fen": order.amount_fen,
        "refunded_fen": order.refunded_fen,
        "provider": order.provider,
        "pay_url": order.pay_url,
        "qr_text": order.pay_url,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "duplicate": order.duplicate,
        "refunds": [refund_payload(r) for r in order.refunds.all()],
    }


def assessment_payload(assessment: FeeAssessment) -> dict:
    from ..services import orders

    number = assessment.case.number
    current = orders.current_order(assessment)
    return {
        "case_number": number,
        "state": assessment.state,
        "payment_code": assessment.payment_code,
        "total_fen": assessment.total_fen,
        "refunded_fen": assessment.refunded_fen,
        "due_date": assessment.due_date,
        "by_staff": assessment.by_staff,
        "rule": assessment.rule,
        "department": assessment.department.name,
        "lines": list(
            assessment.lines.values(
                "name",
                "standard",
                "basis",
                "quantity",
                "unit_fen",
                "reduction_fen",
                "reduction_reason",
                "amount_fen",
            )
        ),
        "paid_at": assessment.paid_at,
        "receipt_number": assessment.receipt_number,
        "notice_url": reverse("api-my-case-fee-notice", args=[number]),
        "receipt_url": reverse("api-my-case-fee-receipt", args=[number])
        if assessment.state == "paid"
        else None,
        "current_order": order_payload(current) if current else None,
    }
