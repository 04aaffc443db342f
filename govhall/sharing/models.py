"""Open data (数据开放目录) and the sharing catalogue (共享目录) with its approvals and reads.

What an open dataset contains is declared in code (``services.datasets``); its table keeps
what was last published: when, how many rows, the files of each format, and — when the
personal-data scan stopped a dataset — why it was withheld.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.accounts.fields import EncryptedTextField


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


# --- the sharing catalogue (政务信息资源共享目录) --------------------------------------------


class Library(models.TextChoices):
    """The base library a resource reads (政务服务大数据库的基础库)."""

    POPULATION = "population", _("人口库")
    LEGAL_PERSON = "legal_person", _("法人库")


class SharingType(models.TextChoices):
    """共享类型, as the national 政务信息资源共享管理暂行办法 (国发〔2016〕51号) classes them."""

    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NONE = "none", _("不予共享")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    YEARLY = "yearly", _("每年")


class Resource(models.Model):
    """One shared information resource (信息资源): named data items of a base library,
    owned by the department that is their authoritative source."""

    code = models.CharField(
        _("资源代码"),
        max_length=40,
        unique=True,
        help_text=_("字母、数字、点和连字符，例如 RK-HYDJ；事项材料以此代码关联共享资源。"),
    )
    name = models.CharField(_("资源名称"), max_length=100)
    description = models.TextField(_("资源摘要"), blank=True)
    owner = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提供部门"),
        on_delete=models.PROTECT,
        related_name="shared_resources",
    )
    library = models.CharField(_("所属基础库"), max_length=20, choices=Library.choices)
    sharing_type = models.CharField(
        _("共享类型"), max_length=15, choices=SharingType.choices, default=SharingType.CONDITIONAL
    )
    sharing_condition = models.CharField(_("共享条件"), max_length=300, blank=True)
    update_cycle = models.CharField(
        _("更新周期"), max_length=10, choices=UpdateCycle.choices, default=UpdateCycle.REALTIME
    )
    legal_basis = models.TextField(_("共享依据"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共享资源")
        verbose_name_plural = _("共享资源")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ResourceField(models.Model):
    """One data item (数据项) of a resource; ``code`` is the base library's attribute."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("共享资源"), on_delete=models.CASCADE, related_name="fields"
    )
    code = models.CharField(_("数据项代码"), max_length=60)
    name = models.CharField(_("数据项名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("数据项")
        verbose_name_plural = _("数据项")
        ordering = ["resource", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="resourcefield_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Approval(models.Model):
    """A department's request for named data items of a resource, for a named purpose on a
    legal basis, and the owner's decision on it (共享申请与审核). Approved, it is the scope
    of every read: these fields, this purpose, until ``valid_until``, unless revoked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("不同意")
        REVOKED = "revoked", _("已撤销")

    public_id = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(
        Resource, verbose_name=_("共享资源"), on_delete=models.PROTECT, related_name="approvals"
    )
    requester = models.ForeignKey(
        "regions.Department",
        verbose_name=_("申请部门"),
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    fields = models.JSONField(_("申请数据项"), default=list)
    purpose = models.CharField(_("使用用途"), max_length=200)
    legal_basis = models.TextField(_("申请依据"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decide_by = models.DateTimeField(_("答复期限"))
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "resource", "status"], name="approval_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.requester}：{self.resource.name}（{self.get_status_display()}）"

    def in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.status == self.Status.APPROVED and self.valid_until >= on


class SharedRead(models.Model):
    """One call for shared data (共享调用), seen at both ends: the requester's and the
    owner's logs are this one row. Refused calls are kept (and counted) with why; allowed
    ones keep the values returned (encrypted) so the case shows what was used."""

    class Outcome(models.TextChoices):
        RETURNED = "returned", _("已返回")
        NO_DATA = "no_data", _("无数据")
        REFUSED = "refused", _("已拒绝")

    public_id = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(_("调用时间"), default=timezone.now, db_index=True)
    resource = models.ForeignKey(
        Resource, verbose_name=_("共享资源"), on_delete=models.PROTECT, related_name="reads"
    )
    requester = models.ForeignKey(
        "regions.Department",
        verbose_name=_("调用部门"),
        null=True,
        on_delete=models.PROTECT,
        related_name="shared_reads_made",
    )
    owner = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提供部门"),
        on_delete=models.PROTECT,
        related_name="shared_reads_served",
    )
    approval = models.ForeignKey(
        Approval,
        verbose_name=_("依据的共享申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reads",
    )
    client_id = models.CharField(_("调用客户端"), max_length=100, blank=True)
    reader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调用人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.CharField(_("用途"), max_length=200)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True, db_index=True)
    subject_key = models.CharField(_("数据主体索引"), max_length=64, db_index=True)
    subject_masked = models.CharField(_("数据主体"), max_length=40)
    fields = models.JSONField(_("返回数据项"), default=list)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    refusal_code = models.CharField(_("拒绝原因代码"), max_length=40, blank=True)
    refusal = models.CharField(_("拒绝原因"), max_length=300, blank=True)
    values = EncryptedTextField(_("返回数据"), blank=True)
    source_name = models.CharField(_("数据来源"), max_length=100, blank=True)
    source_updated_at = models.DateTimeField(_("数据更新时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("共享调用记录")
        verbose_name_plural = _("共享调用记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "outcome"], name="sharedread_requester"),
            models.Index(fields=["owner", "outcome"], name="sharedread_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.resource.code} {self.get_outcome_display()} {self.at:%Y-%m-%d %H:%M}"
