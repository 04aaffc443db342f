"""The published state of each open dataset (数据开放目录).

What a dataset contains is declared in code (``services.datasets``); this table keeps what
was last published: when, how many rows, the files of each format, and — when the
personal-data scan stopped a dataset — why it was withheld.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpenDataset(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        WITHHELD = "withheld", _("因含个人信息暂停更新")

    key = models.SlugField(_("数据集标识"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    updated_at = models.DateTimeField(_("更新时间"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("记录数"), default=0)
    # {format: {"name": storage name, "bytes": size, "sha256": hex}}
    files = models.JSONField(_("文件"), default=dict, blank=True)
    withheld_reason = models.TextField(_("暂停原因"), blank=True)
    checked_at = models.DateTimeField(_("最近检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("开放数据集")
        verbose_name_plural = _("开放数据集")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title
