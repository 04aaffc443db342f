"""Bundles (一件事 / 主题服务): several items applied for together with one form."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.regions.models import Department, Region

from .choices import ThemeAudience
from .items import Item
from .themes import LifeEvent, Theme


class Bundle(models.Model):
    """A bundle of items the cases subsystem fans out to several departments in parallel."""

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    audience = models.CharField(_("面向对象"), max_length=10, choices=ThemeAudience.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="bundles"
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_bundles",
    )
    life_event = models.ForeignKey(
        LifeEvent,
        verbose_name=_("人生事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bundles",
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("服务主题"), blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), null=True, blank=True
    )
    is_published = models.BooleanField(_("已发布"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class BundleMember(models.Model):
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), on_delete=models.CASCADE, related_name="members"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="bundle_memberships"
    )
    required = models.BooleanField(_("必办"), default=True, help_text=_("否：视申请人情形选办。"))
    condition = models.CharField(_("适用情形"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("一件事包含事项")
        verbose_name_plural = _("一件事包含事项")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundlemember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"
