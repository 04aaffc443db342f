"""Service themes (服务主题: 31 for persons, 34 for companies; 国办函〔2016〕108号) and
life events."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ThemeAudience


class Theme(models.Model):
    """One of the 65 service themes of 《"互联网+政务服务"技术体系建设指南》
    (国办函〔2016〕108号)."""

    code = models.SlugField(_("主题编码"), max_length=40, unique=True)
    name = models.CharField(_("主题名称"), max_length=50)
    audience = models.CharField(_("面向对象"), max_length=10, choices=ThemeAudience.choices)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("服务主题")
        verbose_name_plural = _("服务主题")
        ordering = ["audience", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["audience", "name"], name="theme_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_audience_display()}）"


class LifeEvent(models.Model):
    """A life event (人生事件 / 企业生命周期事件) that groups items, bundles and scenarios."""

    code = models.SlugField(_("事件编码"), max_length=40, unique=True)
    name = models.CharField(_("事件名称"), max_length=50)
    audience = models.CharField(_("面向对象"), max_length=10, choices=ThemeAudience.choices)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("相关主题"), blank=True, related_name="life_events"
    )
    items = models.ManyToManyField(
        "catalog.Item", verbose_name=_("相关事项"), blank=True, related_name="life_events"
    )

    class Meta:
        verbose_name = _("人生事件")
        verbose_name_plural = _("人生事件")
        ordering = ["audience", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name
