"""Pushing the hall's own records to a parent hall: every attempt and every alert kept."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryAttempt(models.Model):
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    url = models.CharField(_("目标地址"), max_length=300)
    records = models.PositiveIntegerField(_("记录数"), default=0)
    first_record = models.UUIDField(_("首条记录"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    accepted = models.PositiveIntegerField(_("接收"), default=0)
    duplicates = models.PositiveIntegerField(_("重复"), default=0)
    rejected = models.PositiveIntegerField(_("拒收"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("报送尝试")
        verbose_name_plural = _("报送尝试")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.records} {self.status_code or '-'}"


class DeliveryAlert(models.Model):
    class Kind(models.TextChoices):
        STUCK = "stuck", _("过程信息长时间未送达")
        REJECTED = "rejected", _("上级大厅拒收过程信息")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    raised_at = models.DateTimeField(_("告警时间"), auto_now_add=True)
    message = models.CharField(_("说明"), max_length=500)
    records = models.PositiveIntegerField(_("涉及记录数"), default=0)
    oldest_at = models.DateTimeField(_("最早记录时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报送告警")
        verbose_name_plural = _("报送告警")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.raised_at:%Y-%m-%d %H:%M}"
