from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigitisationBatch(models.Model):
    """One spreadsheet of paper licences digitised in bulk (存量电子化)."""

    class State(models.TextChoices):
        DONE = "done", _("已签发")
        REFUSED = "refused", _("有错误，未签发")

    type = models.ForeignKey(
        "licences.LicenceType", verbose_name=_("证照类型"), on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("签发部门"), on_delete=models.PROTECT
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    state = models.CharField(_("结果"), max_length=10, choices=State.choices)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_issued = models.PositiveIntegerField(_("签发数"), default=0)
    rows_skipped = models.PositiveIntegerField(_("已存在跳过"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("存量证照电子化批次")
        verbose_name_plural = _("存量证照电子化批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_state_display()}）"
