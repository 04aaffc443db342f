"""Registered mobile entries, their probe results and the alerts they raised."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    PAGE = "page", _("移动端页面")
    API = "api", _("接口")
    CHANNEL = "channel", _("渠道接入点")
    ITEM_FORM = "item_form", _("事项申请表单")


class MobileEntry(models.Model):
    """One address a phone or a third-party channel uses. Built-in entries and one per
    phone-enabled item are registered by ``services.entries.sync``; administrators add
    the channels' own addresses (a city-service mini-program's landing page, a bank
    app's callback) on the monitoring page or in the admin."""

    code = models.SlugField(_("入口标识"), max_length=120, unique=True)
    name = models.CharField(_("入口名称"), max_length=200)
    kind = models.CharField(_("入口类型"), max_length=12, choices=EntryKind.choices)
    path = models.CharField(
        _("地址"),
        max_length=500,
        help_text=_("以 / 开头的站内地址（相对于大厅的公开地址），或渠道自己的 https:// 地址。"),
    )
    expected_status = models.CharField(
        _("期望状态码"),
        max_length=40,
        default="200",
        help_text=_("逗号分隔，例如 200 或 200,302（需登录的页面跳转到登录页也算可访问）。"),
    )
    channel = models.CharField(_("渠道"), max_length=100, blank=True)
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    builtin = models.BooleanField(_("系统登记"), default=False)
    is_active = models.BooleanField(_("参与检测"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("移动端入口")
        verbose_name_plural = _("移动端入口")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.path}）"

    @property
    def statuses(self) -> set[int]:
        return {int(s) for s in self.expected_status.replace("，", ",").split(",") if s.strip()}


class ProbeResult(models.Model):
    entry = models.ForeignKey(
        MobileEntry, verbose_name=_("入口"), on_delete=models.CASCADE, related_name="results"
    )
    checked_at = models.DateTimeField(_("检测时间"), db_index=True)
    ok = models.BooleanField(_("正常"))
    status_code = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField(_("响应时间（毫秒）"))
    error = models.CharField(_("问题"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("检测结果")
        verbose_name_plural = _("检测结果")
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["entry", "-checked_at"], name="mobile_result_entry_at")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.checked_at:%Y-%m-%d %H:%M} {'正常' if self.ok else '失败'}"


class EntryAlert(models.Model):
    """Opened when an entry fails twice in a row; closed by its next success."""

    entry = models.ForeignKey(
        MobileEntry, verbose_name=_("入口"), on_delete=models.CASCADE, related_name="alerts"
    )
    opened_at = models.DateTimeField(_("告警时间"))
    closed_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    message = models.CharField(_("告警内容"), max_length=500)

    class Meta:
        verbose_name = _("入口告警")
        verbose_name_plural = _("入口告警")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=models.Q(closed_at__isnull=True),
                name="mobile_one_open_alert_per_entry",
            )
        ]

    def __str__(self) -> str:
        return self.message
