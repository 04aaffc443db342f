"""Scenario navigation (场景式导航): an editor-maintained question tree per life event.

Each option either leads to a next question or ends the walk. Options carry outcomes:
the items the answer adds and, per item, which conditional materials the answer makes
necessary (``include_materials``) or unnecessary (``exclude_materials``), by the
materials' stable codes. ``services.scenarios.resolve`` turns a walk into the exact
items and material lists.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.regions.models import Region

from .items import Item
from .themes import LifeEvent


class Scenario(models.Model):
    code = models.SlugField(_("编码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    life_event = models.ForeignKey(
        LifeEvent,
        verbose_name=_("人生事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scenarios",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scenarios",
        help_text=_("空表示全省适用。"),
    )
    intro = models.TextField(_("引导说明"), blank=True)
    is_published = models.BooleanField(_("已发布"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("情形引导")
        verbose_name_plural = _("情形引导")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def first_question(self):
        return self.questions.order_by("sort_order", "pk").first()


class ScenarioQuestion(models.Model):
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("情形引导"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("编码"), max_length=60)
    text = models.CharField(_("问题"), max_length=300)
    help_text = models.CharField(_("提示"), max_length=500, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("引导问题")
        verbose_name_plural = _("引导问题")
        ordering = ["scenario", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "code"], name="scenarioquestion_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class ScenarioOption(models.Model):
    question = models.ForeignKey(
        ScenarioQuestion, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="options"
    )
    code = models.SlugField(_("编码"), max_length=60)
    label = models.CharField(_("选项"), max_length=200)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    next_question = models.ForeignKey(
        ScenarioQuestion,
        verbose_name=_("下一问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("空表示回答到此结束。"),
    )

    class Meta:
        verbose_name = _("问题选项")
        verbose_name_plural = _("问题选项")
        ordering = ["question", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="scenariooption_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class ScenarioOutcome(models.Model):
    option = models.ForeignKey(
        ScenarioOption, verbose_name=_("选项"), on_delete=models.CASCADE, related_name="outcomes"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="scenario_outcomes"
    )
    include_materials = models.JSONField(_("需要的情形材料编号"), default=list, blank=True)
    exclude_materials = models.JSONField(_("不需要的材料编号"), default=list, blank=True)

    class Meta:
        verbose_name = _("选项结果")
        verbose_name_plural = _("选项结果")
        constraints = [
            models.UniqueConstraint(fields=["option", "item"], name="scenariooutcome_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.option} → {self.item}"
