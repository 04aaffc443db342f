"""§4 identities: persons (自然人), companies (法人), agents (经办人) and real-name levels."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.core.identifiers import mask_id_number

from .. import crypto
from ..fields import EncryptedTextField


def mask_mobile(mobile: str) -> str:
    """`13812345678` → `138****5678`."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]


class RealNameLevel(models.IntegerChoices):
    """How sure the hall is that an account belongs to the person it names.

    Items of the catalogue require a minimum level; higher levels include the lower ones.
    """

    SELF_REGISTERED = 1, _("一级：自助注册")
    ONLINE_VERIFIED = 2, _("二级：在线核验")
    IN_PERSON = 3, _("三级：窗口核验")


class Person(models.Model):
    """A natural person, keyed by citizen ID number (one account per person)."""

    class Source(models.TextChoices):
        REGISTERED = "registered", _("网上注册")
        LEGACY = "legacy", _("旧系统导入")
        COUNTER = "counter", _("窗口代为开户")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        related_name="person",
    )
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_index = models.CharField(
        _("身份证号码索引"), max_length=64, unique=True, editable=False
    )
    name = models.CharField(_("姓名"), max_length=50)
    realname_level = models.PositiveSmallIntegerField(
        _("实名等级"), choices=RealNameLevel.choices, default=RealNameLevel.SELF_REGISTERED
    )
    realname_verified_at = models.DateTimeField(_("实名核验时间"), null=True, blank=True)
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.REGISTERED
    )
    legacy_import = models.ForeignKey(
        "accounts.LegacyImport",
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    def save(self, *args, **kwargs):
        self.id_number_index = self.index_for(self.id_number)
        super().save(*args, **kwargs)

    @staticmethod
    def index_for(id_number: str) -> str:
        return crypto.blind_index("id_number", id_number)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def level(self) -> RealNameLevel:
        return RealNameLevel(self.realname_level)


class RealNameVerification(models.Model):
    """One attempt to raise a person's real-name level, kept as evidence."""

    class Method(models.TextChoices):
        ONLINE = "online", _("在线核验")
        COUNTER = "counter", _("窗口核验")

    class Result(models.TextChoices):
        PASSED = "passed", _("通过")
        FAILED = "failed", _("未通过")
        UNAVAILABLE = "unavailable", _("核验服务不可用")

    person = models.ForeignKey(
        Person, verbose_name=_("自然人"), on_delete=models.CASCADE, related_name="verifications"
    )
    level = models.PositiveSmallIntegerField(_("核验等级"), choices=RealNameLevel.choices)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    result = models.CharField(_("结果"), max_length=12, choices=Result.choices)
    source = models.CharField(_("核验来源"), max_length=100, blank=True)
    reference = models.CharField(_("核验流水号"), max_length=100, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("核验部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_type = models.CharField(_("查验证件"), max_length=30, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("核验时间"), default=timezone.now)

    class Meta:
        verbose_name = _("实名核验记录")
        verbose_name_plural = _("实名核验记录")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_method_display()} · {self.get_result_display()}"


class Company(models.Model):
    """A legal person, keyed by unified social credit code, registered by its legal
    representative."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    legal_representative = models.ForeignKey(
        Person,
        verbose_name=_("法定代表人"),
        on_delete=models.PROTECT,
        related_name="companies_represented",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("注册人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registry_reference = models.CharField(_("登记核验流水号"), max_length=100, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    registered_at = models.DateTimeField(_("注册时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class Power(models.TextChoices):
    """What an agent (经办人) may do for a company."""

    APPLY = "apply", _("申办事项")
    VIEW_CASES = "view_cases", _("查看办件")
    RECEIVE_LICENCES = "receive_licences", _("领取证照")


ALL_POWERS = tuple(Power.values)


class AgentGrantQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Grants not revoked whose period covers ``on`` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on)


class AgentGrant(models.Model):
    """A company's authorisation of one person to act for it, with powers and a period."""

    company = models.ForeignKey(
        Company, verbose_name=_("法人"), on_delete=models.CASCADE, related_name="agent_grants"
    )
    agent = models.ForeignKey(
        Person, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="agent_grants"
    )
    powers = models.JSONField(_("授权事项"), default=list)
    valid_from = models.DateField(_("授权开始日期"))
    valid_until = models.DateField(_("授权结束日期"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = AgentGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("经办人授权")
        verbose_name_plural = _("经办人授权")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "agent"],
                condition=Q(revoked_at__isnull=True),
                name="agentgrant_one_open_grant",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="agentgrant_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name} → {self.agent.name}"

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.revoked_at is None and self.valid_from <= on <= self.valid_until

    @property
    def power_labels(self) -> list[str]:
        labels = dict(Power.choices)
        return [str(labels.get(p, p)) for p in self.powers]
