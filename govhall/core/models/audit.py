"""The append-only, hash-chained audit log.

Each entry stores the SHA-256 of its own canonical content together with the hash of
the entry before it, so editing or deleting any row breaks the chain from that row on;
``manage.py verify_audit`` walks the chain and names the first broken entry. Appends
are serialised through the single ``AuditChainHead`` row (``SELECT … FOR UPDATE`` on
PostgreSQL, the IMMEDIATE write lock on SQLite).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .inserts import CompiledInsert

GENESIS_HASH = "0" * 64


class AuditEntry(CompiledInsert, models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        TRANSITION = "transition", _("状态变更")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        IMPORT = "import", _("导入")
        OTHER = "other", _("其他")

    sequence = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    occurred_at = models.DateTimeField(_("时间"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("操作人标识"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    previous_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False)
    entry_hash = models.CharField(_("本条哈希"), max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_action_display()} {self.object_type} {self.object_repr}"


class AuditChainHead(models.Model):
    """One row holding the chain's tip; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_hash[:12]}"
