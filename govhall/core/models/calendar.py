"""The working-day calendar: statutory holidays and make-up working days per year.

Only exceptions are stored: a date absent from ``CalendarDay`` is a working day when it
is Monday–Friday. A year counts as known only when a ``CalendarYear`` row says so;
deadlines that touch an unknown year are flagged rather than guessed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar 软件包")
        ADMIN = "admin", _("管理员录入")
        FILE = "file", _("文件导入")

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    notice = models.CharField(
        _("依据文件"),
        max_length=200,
        blank=True,
        help_text=_("如：国务院办公厅关于某年部分节假日安排的通知"),
    )
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("载入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    year = models.ForeignKey(
        CalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
