"""Fees of a case and their payment (docs/payments.md).

A ``FeeAssessment`` (核定收费) is what one case owes, line by line from the catalogue's
收费项目 (or as staff assessed it, with the rule they applied), issued as a 缴款通知书
with a payment code (缴款码). The applicant pays it through ``PaymentOrder`` rows — one per
attempt at a gateway; at most one order of an assessment is ever *paid* (a database
constraint), and a second payment that reaches us anyway is refunded at once. Refunds,
the gateway's notifications as received and the daily reconciliation are kept too.
Every amount is an integer number of fen (分).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentState(models.TextChoices):
    DUE = "due", _("待缴费")
    PAID = "paid", _("已缴费")
    WAIVED = "waived", _("已减免")  # nothing left to pay after 减免
    CANCELLED = "cancelled", _("已撤销")


class FeeAssessment(models.Model):
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="fee_assessment",
    )
    payment_code = models.CharField(_("缴款码"), max_length=20, unique=True)
    total_fen = models.PositiveBigIntegerField(_("应缴金额（分）"))
    state = models.CharField(
        _("状态"), max_length=10, choices=AssessmentState.choices, default=AssessmentState.DUE
    )
    by_staff = models.BooleanField(_("工作人员核定"), default=False)
    rule = models.TextField(_("核定规则"), blank=True, help_text=_("按案情核定时适用的标准与计算"))
    payer_name = models.CharField(_("缴款人"), max_length=200)
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("执收单位"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("缴款期限"))
    conclude_when_paid = models.BooleanField(
        _("缴费后自动办结"), default=False, help_text=_("即办件、秒批件：缴费到账即办结出证。")
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("核定时间"))
    paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)
    refunded_fen = models.PositiveBigIntegerField(_("已退金额（分）"), default=0)
    receipt_number = models.CharField(_("电子票据号码"), max_length=30, blank=True)
    receipt_pdf = models.BinaryField(_("电子票据"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("核定收费")
        verbose_name_plural = _("核定收费")

    def __str__(self) -> str:
        return f"{self.payment_code} {self.total_fen}分"


class FeeLine(models.Model):
    assessment = models.ForeignKey(FeeAssessment, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(_("收费项目"), max_length=200)
    standard = models.CharField(_("收费标准"), max_length=300)
    basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    unit_fen = models.PositiveBigIntegerField(_("单价（分）"))
    reduction_fen = models.PositiveBigIntegerField(_("减免（分）"), default=0)
    reduction_reason = models.CharField(_("减免理由"), max_length=300, blank=True)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("收费明细")
        verbose_name_plural = _("收费明细")

    def __str__(self) -> str:
        return f"{self.name} {self.amount_fen}分"


class OrderState(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    CLOSED = "closed", _("已关闭")  # cancelled by the payer or timed out, nothing paid
    REFUNDED = "refunded", _("已全额退款")


class PaymentOrder(models.Model):
    """One attempt to pay an assessment at one gateway (商户订单)."""

    order_number = models.CharField(_("订单号"), max_length=32, unique=True)
    assessment = models.ForeignKey(
        FeeAssessment, verbose_name=_("核定收费"), on_delete=models.PROTECT, related_name="orders"
    )
    provider = models.CharField(_("支付渠道"), max_length=20)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    state = models.CharField(
        _("状态"), max_length=10, choices=OrderState.choices, default=OrderState.PENDING
    )
    channel = models.CharField(_("发起渠道"), max_length=40, blank=True)
    pay_url = models.URLField(_("支付地址"), max_length=500, blank=True)
    trade_number = models.CharField(_("支付平台交易号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("支付截止时间"))
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=100, blank=True)
    refunded_fen = models.PositiveBigIntegerField(_("已退金额（分）"), default=0)
    duplicate = models.BooleanField(
        _("重复支付"), default=False, help_text=_("同一缴款已由另一订单支付，本笔原路全额退回。")
    )
    gateway_seq = models.PositiveIntegerField(_("已处理的支付平台序号"), default=0)
    last_queried_at = models.DateTimeField(_("最近查询时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("缴费订单")
        verbose_name_plural = _("缴费订单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Clicking twice opens one order: one pending order per assessment.
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(state="pending"),
                name="payment_one_pending_order",
            ),
            # Nothing is paid twice: one order of an assessment keeps the payment.
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(duplicate=False, paid_at__isnull=False),
                name="payment_one_paid_order",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="payment_order_state")]

    def __str__(self) -> str:
        return f"{self.order_number} {self.get_state_display()}"


class RefundState(models.TextChoices):
    PENDING = "pending", _("退款中")
    SUCCEEDED = "succeeded", _("已退款")
    FAILED = "failed", _("退款失败")


class Refund(models.Model):
    refund_number = models.CharField(_("退款单号"), max_length=32, unique=True)
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveBigIntegerField(_("退款金额（分）"))
    reason = models.CharField(_("退款理由"), max_length=300)
    state = models.CharField(
        _("状态"), max_length=10, choices=RefundState.choices, default=RefundState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    succeeded_at = models.DateTimeField(_("退款时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.refund_number} {self.amount_fen}分"


class GatewayNotification(models.Model):
    """Every notification the gateways sent us, as received, and what became of it."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("已处理")
        DUPLICATE = "duplicate", _("重复通知")
        STALE = "stale", _("过时通知")
        BAD_SIGNATURE = "bad_signature", _("签名无效")
        UNKNOWN_ORDER = "unknown_order", _("订单不存在")

    provider = models.CharField(_("支付渠道"), max_length=20)
    order_number = models.CharField(_("订单号"), max_length=64, blank=True)
    notify_id = models.CharField(_("通知标识"), max_length=64, blank=True)
    seq = models.PositiveIntegerField(_("序号"), default=0)
    body = models.TextField(_("内容"))
    outcome = models.CharField(_("结果"), max_length=15, choices=Outcome.choices)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.order_number} {self.outcome}"


class ReconciliationRun(models.Model):
    provider = models.CharField(_("支付渠道"), max_length=20)
    day = models.DateField(_("对账日期"))
    ran_at = models.DateTimeField(_("对账时间"), auto_now_add=True)
    gateway_lines = models.PositiveIntegerField(_("对账单笔数"), default=0)
    platform_lines = models.PositiveIntegerField(_("平台笔数"), default=0)
    matched = models.PositiveIntegerField(_("一致笔数"), default=0)
    file_sha256 = models.CharField(_("对账文件SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("对账")
        verbose_name_plural = _("对账")
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"


class MismatchKind(models.TextChoices):
    MISSING_ON_PLATFORM = "missing_on_platform", _("平台无记录（长款）")
    MISSING_AT_GATEWAY = "missing_at_gateway", _("支付平台无记录（短款）")
    AMOUNT = "amount", _("金额不符")
    STATE = "state", _("状态不符")


class Mismatch(models.Model):
    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="mismatches")
    kind = models.CharField(_("差异类型"), max_length=20, choices=MismatchKind.choices)
    record_type = models.CharField(_("类型"), max_length=10, help_text=_("pay / refund"))
    reference = models.CharField(_("订单号或退款单号"), max_length=64)
    gateway_fen = models.BigIntegerField(_("支付平台金额（分）"), null=True)
    platform_fen = models.BigIntegerField(_("平台金额（分）"), null=True)
    detail = models.CharField(_("说明"), max_length=300)

    class Meta:
        verbose_name = _("对账差异")
        verbose_name_plural = _("对账差异")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"
