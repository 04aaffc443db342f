"""What the analysis store keeps in the database: its export watermarks and the table
of next items (co-occurrence in case history) built from it. The data itself lives in
Parquet files under the var directory (``services.store``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportState(models.Model):
    """How far the incremental export has gone: the last process-record id written and
    the last case-fact update time exported (one row per exported dataset)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_record_pk = models.BigIntegerField(default=0)
    last_updated_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    rows = models.BigIntegerField(_("累计导出行数"), default=0)

    class Meta:
        verbose_name = _("分析库导出进度")
        verbose_name_plural = _("分析库导出进度")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_record_pk}"


class NextItem(models.Model):
    """Applicants of ``from_code`` who applied for ``to_code`` within the window after it
    (``applicants`` of ``base`` applicants of ``from_code``): the "通常接着办理" of the
    next-service recommendation, rebuilt offline by the ``build_next_items`` job."""

    from_code = models.CharField(_("先办事项实施编码"), max_length=32)
    to_code = models.CharField(_("接着办理事项实施编码"), max_length=32)
    from_name = models.CharField(_("先办事项名称"), max_length=200, blank=True)
    to_name = models.CharField(_("接着办理事项名称"), max_length=200, blank=True)
    applicants = models.IntegerField(_("接着办理的申请人数"))
    base = models.IntegerField(_("先办事项申请人数"))
    share = models.FloatField(_("占比"))
    built_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("通常接着办理的事项")
        verbose_name_plural = _("通常接着办理的事项")
        ordering = ["from_code", "-share", "to_code"]
        constraints = [
            models.UniqueConstraint(fields=["from_code", "to_code"], name="next_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.from_code} → {self.to_code} {self.share:.0%}"
