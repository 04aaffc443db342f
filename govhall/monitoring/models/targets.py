"""Indicator targets from the work plans, and the denominators of the two-page rates."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    ONLINE_FULL = "online_full", _("网上全流程办理率")
    ONLINE_APPLY = "online_apply", _("上网办理率")
    ONLINE_CONCLUDE = "online_conclude", _("网上办结率")
    VISITS_LE1 = "visits_le1", _("到现场办理次数不超过1次比率")
    VISITS_ZERO = "visits_zero", _("零跑动比率")
    ELICENCE = "elicence", _("证照（批文）电子化率")
    PLATFORM = "platform", _("进驻统一申办受理平台比率")
    MOBILE = "mobile", _("手机办理比率")
    COMPANY_PAGE = "company_page", _("企业专属网页使用率")
    CITIZEN_PAGE = "citizen_page", _("市民个人网页使用率")


class TargetScope(models.TextChoices):
    TOTAL = "total", _("本地区整体")
    DEPARTMENTS = "departments", _("本级部门")
    SUBREGIONS = "subregions", _("所辖各地区")


class Target(models.Model):
    """A goal of a work plan: in ``year`` the ``scope`` of ``region_code`` should reach
    ``value`` per cent. A city's own plan (higher ``rank``) overrides the province's."""

    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.CharField(_("指标"), max_length=20, choices=Indicator.choices)
    region_code = models.CharField(_("区划代码"), max_length=12)
    scope = models.CharField(_("适用对象"), max_length=12, choices=TargetScope.choices)
    value = models.DecimalField(_("目标值（%）"), max_digits=5, decimal_places=1)
    source = models.CharField(_("依据"), max_length=200)
    rank = models.PositiveSmallIntegerField(_("优先级"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("指标目标")
        verbose_name_plural = _("指标目标")
        ordering = ["year", "region_code", "scope", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "indicator", "region_code", "scope", "rank"],
                name="target_once",
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0) & models.Q(value__lte=100),
                name="target_value_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region_code} {self.get_indicator_display()} {self.value}%"


class PopulationBase(models.Model):
    """Denominators of the two-page usage rates (潮府办函〔2017〕135号 名词解释 8, 9)."""

    region_code = models.CharField(_("区划代码"), max_length=12)
    year = models.PositiveSmallIntegerField(_("年度"))
    registered_companies = models.PositiveIntegerField(_("企业总数（不含个体工商户）"), default=0)
    population_20_49 = models.PositiveIntegerField(_("20–49周岁人口"), default=0)
    registered_population = models.PositiveIntegerField(_("户籍人口"), default=0)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("两页使用率基数")
        verbose_name_plural = _("两页使用率基数")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="population_base_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"


class PageUsage(models.Model):
    """Numerators of the two-page rates, reported per region and month by the company
    and citizen page system (filled by that subsystem once it exists, or entered)."""

    region_code = models.CharField(_("区划代码"), max_length=12)
    month = models.DateField(_("月份"))
    companies_using = models.PositiveIntegerField(_("使用企业专属网页的企业数"), default=0)
    persons_using = models.PositiveIntegerField(_("使用市民个人网页的人数"), default=0)
    source = models.CharField(_("数据来源"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("两页使用情况")
        verbose_name_plural = _("两页使用情况")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "month"], name="page_usage_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m}"
