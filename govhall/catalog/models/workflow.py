"""The editorial trail: every workflow action on a version, and every change that took effect."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ChangeType
from .items import Item, ItemVersion


class ReviewRecord(models.Model):
    """One workflow action on a version (submit, return, pass review, publish...)."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建草稿")
        SUBMIT = "submit", _("提交审查")
        RETURN = "return", _("退回修改")
        APPROVE = "approve", _("审查通过")
        PUBLISH = "publish", _("发布")
        DISCARD = "discard", _("作废草稿")
        IMPORT = "import", _("批量导入")

    version = models.ForeignKey(
        ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="reviews"
    )
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    legality_ok = models.BooleanField(_("合法性审查通过"), null=True, blank=True)
    compliance_ok = models.BooleanField(_("合规性审查通过"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审查记录")
        verbose_name_plural = _("审查记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} {self.get_action_display()}"


class ChangeRecord(models.Model):
    """A change of the catalogue that took effect (新增、变更、拆分、合并、暂停、取消)."""

    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="changes"
    )
    version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    change_type = models.CharField(_("变更类型"), max_length=10, choices=ChangeType.choices)
    summary = models.CharField(_("变更说明"), max_length=500, blank=True)
    related_items = models.ManyToManyField(
        Item, verbose_name=_("相关事项"), blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("生效时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("事项变更记录")
        verbose_name_plural = _("事项变更记录")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item.name} {self.get_change_type_display()}"
