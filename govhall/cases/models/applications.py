"""What an applicant prepares: the application (draft, then submitted) and its materials.

An application is for one item or one bundle (一件事). It is a draft until it is
submitted; drafts live in the database, so they resume on another device. Uploaded
files go to the applicant's materials locker (材料库), where later applications can
pick them instead of uploading again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.accounts.models import Company, Person
from govhall.catalog.models import Bundle, Item
from govhall.core.models.inserts import CompiledInsert, CompiledInsertQuerySet
from govhall.regions.models import Department, Hall


class Channel(models.TextChoices):
    """申请渠道, counted by the indicators (上网办理率)."""

    ONLINE = "online", _("网上办事大厅")
    MOBILE = "mobile", _("移动端")
    COUNTER = "counter", _("实体大厅窗口")
    KIOSK = "kiosk", _("自助终端")
    THIRD_PARTY = "third_party", _("第三方渠道")


ONLINE_CHANNELS = (Channel.ONLINE, Channel.MOBILE)


def locker_path(instance: StoredFile, filename: str) -> str:
    return f"locker/{instance.created_at:%Y/%m}/{instance.public_id.hex}"


class StoredFile(models.Model):
    """A file in an applicant's materials locker (材料库)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所有人"),
        on_delete=models.CASCADE,
        related_name="locker",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("所属法人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("文件名"), max_length=200)
    title = models.CharField(_("材料名称"), max_length=200)
    # The material key (``applications.material_key``) the file was stored for; blank when
    # stored from the locker page, where the title names the material.
    kind = models.CharField(_("材料种类"), max_length=220, blank=True)
    content = models.FileField(_("文件"), upload_to=locker_path, max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scanned_at_counter = models.BooleanField(_("窗口扫描"), default=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("材料库文件")
        verbose_name_plural = _("材料库文件")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.name


class Application(CompiledInsert, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        DISCARDED = "discarded", _("已删除")

    public_id = models.UUIDField(_("申请标识"), default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    item = models.ForeignKey(
        Item,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("一件事"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办事账号"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("代办法人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(
        _("申请渠道"), max_length=12, choices=Channel.choices, default=Channel.ONLINE
    )
    # The OAuth2 client (a third-party channel, docs/channels.md) whose token started it.
    channel_client = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("第三方渠道客户端"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField(_("表单内容"), default=dict, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    delivery = models.CharField(_("送达方式"), max_length=12, blank=True)
    delivery_address = models.CharField(_("送达地址"), max_length=200, blank=True)
    # counter intake (一门式)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理窗口人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clerk_department = models.ForeignKey(
        Department,
        verbose_name=_("窗口所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hall = models.ForeignKey(
        Hall,
        verbose_name=_("受理大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["user", "state", "-updated_at"], name="application_user_state")
        ]

    def __str__(self) -> str:
        subject = self.bundle.name if self.bundle_id else (self.item.name if self.item_id else "")
        return f"{subject}（{self.get_state_display()}）"

    @property
    def title(self) -> str:
        return self.bundle.name if self.bundle_id else self.item.name


class MaterialSource(models.TextChoices):
    UPLOAD = "upload", _("上传")
    LOCKER = "locker", _("材料库")
    LICENCE = "licence", _("电子证照")
    SHARED = "shared", _("共享数据")
    COUNTER_SCAN = "counter_scan", _("窗口扫描")
    PAPER = "paper", _("纸质原件核验")


class ApplicationMaterial(models.Model):
    """One material supplied for an application (keyed by the catalogue material code).

    For bundles the key is ``<implementation code>:<material code>``; shared materials
    (same name or same e-licence type) are supplied once and used by every case.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="materials"
    )
    key = models.CharField(_("材料标识"), max_length=220)
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(_("来源"), max_length=12, choices=MaterialSource.choices)
    file = models.ForeignKey(
        StoredFile,
        verbose_name=_("文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uses",
    )
    reference = models.CharField(
        _("证照或共享数据标识"),
        max_length=100,
        blank=True,
        help_text=_("电子证照标识或共享数据来源。"),
    )
    added_at = models.DateTimeField(_("提供时间"), auto_now=True)

    # An application's materials are inserted at once (``bulk_create``) on every one-call
    # submission: the statement is compiled once per number of materials.
    objects = CompiledInsertQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "key"], name="applicationmaterial_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionKey(CompiledInsert, models.Model):
    """An idempotency key seen at submission: a retry returns the first answer.

    Keys belong to one user and one endpoint (two users, or the same user on two
    endpoints, may pick the same key); ``fingerprint`` is a hash of what the first request
    asked for, so the same key with a different request is a conflict, never a replay.
    """

    key = models.CharField(max_length=64)
    endpoint = models.CharField(max_length=40, default="")
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="submissionkey_unique_per_user_endpoint"
            ),
        ]

    def __str__(self) -> str:
        return self.key
