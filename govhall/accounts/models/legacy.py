"""Batches of accounts imported from older systems, with their conflict reports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegacyImport(models.Model):
    source_system = models.CharField(_("来源系统"), max_length=100)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新建账号"), default=0)
    merged_count = models.PositiveIntegerField(_("合并到已有账号"), default=0)
    duplicate_count = models.PositiveIntegerField(_("文件内重复行"), default=0)
    conflict_count = models.PositiveIntegerField(_("冲突"), default=0)
    error_count = models.PositiveIntegerField(_("错误行"), default=0)
    report = models.JSONField(_("冲突与错误报告"), default=list)

    class Meta:
        verbose_name = _("旧账号导入批次")
        verbose_name_plural = _("旧账号导入批次")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source_system} · {self.file_name} · {self.started_at:%Y-%m-%d %H:%M}"
