"""What monitoring keeps besides the process records: one fact row per case, folded
from its records, and monthly roll-ups of those facts, kept up to date incrementally
(a watermark on the process-record id) so dashboards read a few thousand rows, not
millions of records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseFact(models.Model):
    """A case as the indicators see it, whether handled here or pushed by a branch hall."""

    case_number = models.CharField(_("办件编号"), max_length=40)
    implementation_code = models.CharField(_("实施编码"), max_length=32)
    item_name = models.CharField(_("事项名称"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=60, default="local")
    region_code = models.CharField(_("区划代码"), max_length=12)
    level = models.CharField(_("层级"), max_length=10)
    department_code = models.CharField(_("部门统一社会信用代码"), max_length=18)
    item_type = models.CharField(_("事项类型"), max_length=2, blank=True)
    case_type = models.CharField(_("办件类型"), max_length=1, blank=True)
    channel = models.CharField(_("申办渠道"), max_length=12, blank=True)
    applied_at = models.DateTimeField(_("申办时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_event = models.CharField(_("终结事件"), max_length=20, blank=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    steps = models.PositiveSmallIntegerField(_("审批环节数"), default=0)
    # The roll-up row this case is counted in (first day of its conclusion month), so an
    # update can take the old contribution out before adding the new one.
    month = models.DateField(_("统计月份"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件统计事实")
        verbose_name_plural = _("办件统计事实")
        constraints = [
            models.UniqueConstraint(
                fields=["case_number", "implementation_code"], name="case_fact_once"
            )
        ]
        indexes = [
            models.Index(fields=["month", "region_code"], name="case_fact_month_region"),
            models.Index(fields=["month", "department_code"], name="case_fact_month_dept"),
        ]

    def __str__(self) -> str:
        return self.case_number


class MonthlyRollup(models.Model):
    """Counters of the cases concluded in one month, per region, department and item
    type: every case-based indicator is a ratio of two of these columns."""

    month = models.DateField(_("月份"))
    region_code = models.CharField(_("区划代码"), max_length=12)
    level = models.CharField(_("层级"), max_length=10)
    department_code = models.CharField(_("部门统一社会信用代码"), max_length=18)
    item_type = models.CharField(_("事项类型"), max_length=2, blank=True)
    # 业务量: applied, accepted and concluded (潮府办函〔2017〕135号, 名词解释 1).
    volume = models.IntegerField(_("业务量"), default=0)
    online_applied = models.IntegerField(_("上网申办"), default=0)
    mobile_applied = models.IntegerField(_("手机申办"), default=0)
    fully_online = models.IntegerField(_("网上全流程办结"), default=0)
    visits_0 = models.IntegerField(_("零跑动"), default=0)
    visits_1 = models.IntegerField(_("跑动一次"), default=0)
    visits_2 = models.IntegerField(_("跑动两次"), default=0)
    visits_3p = models.IntegerField(_("跑动三次及以上"), default=0)
    online_visits_0 = models.IntegerField(_("网上申办零跑动"), default=0)
    online_visits_1 = models.IntegerField(_("网上申办跑动一次"), default=0)

    class Meta:
        verbose_name = _("月度汇总")
        verbose_name_plural = _("月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region_code", "department_code", "item_type"],
                name="monthly_rollup_once",
            )
        ]
        indexes = [models.Index(fields=["region_code", "month"], name="rollup_region_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_code} {self.department_code}"


class RefreshState(models.Model):
    """The watermark of the incremental refresh: the last process-record id folded in."""

    name = models.CharField(max_length=40, primary_key=True)
    last_record_pk = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_record_pk}"
