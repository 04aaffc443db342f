"""Data-quality findings on pushed process records, fed back to the sender."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .clients import ExchangeClient


class QualityCheck(models.TextChoices):
    UNKNOWN_ITEM = "unknown_item", _("实施编码不在事项目录中")
    MISSING_STEPS = "missing_steps", _("缺少审批环节")
    OUT_OF_ORDER = "out_of_order", _("时间顺序错误")
    FUTURE_TIME = "future_time", _("发生时间晚于接收时间")
    NO_ACCEPTANCE = "no_acceptance", _("办结前无受理信息")
    LATE_PUSH = "late_push", _("超过12小时报送")
    CONFLICTING_DUPLICATE = "conflicting_duplicate", _("重复报送且内容不一致")


class QualityIssue(models.Model):
    client = models.ForeignKey(
        ExchangeClient,
        verbose_name=_("报送方"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quality_issues",
    )
    rule = models.CharField(_("检查项"), max_length=30, choices=QualityCheck.choices)
    record_id = models.UUIDField(_("记录标识"))
    case_number = models.CharField(_("办件编号"), max_length=40)
    implementation_code = models.CharField(_("实施编码"), max_length=32, blank=True)
    message = models.CharField(_("说明"), max_length=500)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    day = models.DateField(_("报送日期"), db_index=True)

    class Meta:
        verbose_name = _("数据质量问题")
        verbose_name_plural = _("数据质量问题")
        ordering = ["-detected_at", "-pk"]
        indexes = [models.Index(fields=["client", "day"], name="quality_issue_client_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["record_id", "rule"], name="quality_issue_once_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.get_rule_display()}"


class QualityDay(models.Model):
    """Per client and day: what arrived and how much of it was clean."""

    client = models.ForeignKey(
        ExchangeClient, verbose_name=_("报送方"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("日期"))
    received = models.PositiveIntegerField(_("收到记录"), default=0)
    accepted = models.PositiveIntegerField(_("接收"), default=0)
    duplicates = models.PositiveIntegerField(_("重复"), default=0)
    rejected = models.PositiveIntegerField(_("拒收"), default=0)
    late = models.PositiveIntegerField(_("迟报"), default=0)
    with_issues = models.PositiveIntegerField(_("有质量问题的记录"), default=0)

    class Meta:
        verbose_name = _("每日数据质量")
        verbose_name_plural = _("每日数据质量")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="quality_day_once")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.day}"

    @property
    def score(self) -> float | None:
        """Quality score 0–100: the share of received records that were accepted without
        an issue (a rejected or flagged record counts against the sender)."""
        if not self.received:
            return None
        clean = max(self.accepted + self.duplicates - self.with_issues, 0)
        return round(100 * clean / self.received, 1)


class RejectedRecord(models.Model):
    """One pushed record that was refused, with why, for the sender to correct and push
    again: a count alone ("rejected: 1") does not say which record or what was wrong."""

    client = models.ForeignKey(
        ExchangeClient,
        verbose_name=_("报送方"),
        on_delete=models.CASCADE,
        related_name="rejected_records",
    )
    day = models.DateField(_("报送日期"))
    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)
    index = models.PositiveIntegerField(_("批内序号"), help_text=_("在该批记录中的位置，从0起"))
    # As sent: a record refused for its record_id may carry none, or not a UUID.
    record_id = models.CharField(_("记录标识"), max_length=64, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    errors = models.JSONField(_("错误"), help_text=_("[{field, message}]：按字段路径列出的原因"))

    class Meta:
        verbose_name = _("拒收记录")
        verbose_name_plural = _("拒收记录")
        ordering = ["-received_at", "index"]
        indexes = [models.Index(fields=["client", "day"], name="rejected_record_client_day")]

    def __str__(self) -> str:
        return f"{self.client_id} #{self.index} {self.record_id}"

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(field path, reason) pairs, in the order the checks found them."""
        return [(error["field"], error["message"]) for error in self.errors]

    @property
    def first_error(self) -> str:
        pairs = self.error_list
        return f"{pairs[0][0]}：{pairs[0][1]}" if pairs else ""
