"""Licence types (the 通用目录), issued licences, their versions, uses and share links.

A licence is the lasting thing (one holder, one issuer, one serial); every change to
it — issue, annotation, renewal, change, revocation, expiry — is a new, separately
signed ``LicenceVersion`` whose identifier ends in its three-digit version and the
ISO 7064 check character (GB/T 36901-2018, DB44/T 2167-2019). Old versions stay
verifiable: a verifier
that scans an old QR code learns that it was superseded or revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.accounts import crypto
from govhall.accounts.fields import EncryptedTextField
from govhall.core.identifiers import mask_id_number


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    COMPANY = "company", _("法人和其他组织")


class HolderCodeType(models.TextChoices):
    """持证主体代码类型 of GB/T 36904."""

    ID_CARD = "111", _("居民身份证")
    CREDIT_CODE = "001", _("统一社会信用代码")


class LicenceType(models.Model):
    """One licence type of the 通用目录. Which items issue it (发证清单) and which accept
    it as a material (用证清单) are read from the catalogue (``services.catalogue``)."""

    code = models.CharField(
        _("证照类型代码"),
        max_length=21,
        unique=True,
        help_text=_("定义机构统一社会信用代码（18位）+ 3位顺序号。"),
    )
    name = models.CharField(_("证照类型名称"), max_length=100)
    defining_body = models.CharField(_("证照定义机构"), max_length=100)
    defining_body_code = models.CharField(_("定义机构统一社会信用代码"), max_length=18)
    holder_kind = models.CharField(_("持证主体类别"), max_length=10, choices=HolderKind.choices)
    fields = models.JSONField(
        _("照面信息项"),
        default=list,
        blank=True,
        help_text=_(
            '每项形如 {"name": "spouse", "label": "配偶姓名", "type": "text", "required": true}。'
        ),
    )
    validity_years = models.PositiveSmallIntegerField(
        _("有效期（年）"), default=0, help_text=_("0 表示长期有效。")
    )
    number_prefix = models.CharField(
        _("证照编号前缀"), max_length=20, blank=True, help_text=_("例如：粤民老津。")
    )
    template = models.TextField(
        _("照面模板"),
        blank=True,
        help_text=_("Django 模板片段，可用 licence、version、data；留空则使用通用版式。"),
    )
    issuing_departments = models.ManyToManyField(
        "regions.Department",
        verbose_name=_("签发部门"),
        related_name="licence_types",
        blank=True,
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("电子证照类型")
        verbose_name_plural = _("电子证照目录")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class LicenceState(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已注销")
    EXPIRED = "expired", _("已过期")


class Licence(models.Model):
    type = models.ForeignKey(
        LicenceType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="licences"
    )
    issuer = models.ForeignKey(
        "regions.Department",
        verbose_name=_("签发部门"),
        on_delete=models.PROTECT,
        related_name="issued_licences",
    )
    serial = models.CharField(_("顺序号"), max_length=20)
    number = models.CharField(_("证照编号"), max_length=100)
    holder_kind = models.CharField(_("持证主体类别"), max_length=10, choices=HolderKind.choices)
    holder_name = models.CharField(_("持证主体"), max_length=200)
    holder_code = EncryptedTextField(_("持证主体代码"))
    holder_code_index = models.CharField(_("持证主体代码索引"), max_length=64, db_index=True)
    holder_code_type = models.CharField(
        _("持证主体代码类型"), max_length=3, choices=HolderCodeType.choices
    )
    holder_salt = EncryptedTextField(
        _("持证主体代码承诺随机数"),
        blank=True,
        help_text=_("签名数据中身份证号码以 SM3(随机数‖号码) 代替；随机数只给持证人本人。"),
    )
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("持证人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licences",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("持证单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licences",
    )
    jurisdiction_code = models.CharField(_("颁证单位行政区划代码"), max_length=12)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("来源办件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licences",
    )
    item_code = models.CharField(_("关联事项编码"), max_length=40, blank=True)
    current = models.ForeignKey(
        "LicenceVersion",
        verbose_name=_("当前版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=LicenceState.choices, default=LicenceState.VALID
    )
    digitised = models.BooleanField(_("存量电子化"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "issuer", "serial"], name="licence_unique_serial"
            ),
            models.UniqueConstraint(
                fields=["type", "issuer", "number"], name="licence_unique_number"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "state"], name="licence_person_state"),
            models.Index(fields=["company", "state"], name="licence_company_state"),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.number}"

    def save(self, *args, **kwargs):
        self.holder_code_index = self.index_for(self.holder_code or "")
        super().save(*args, **kwargs)

    @staticmethod
    def index_for(code: str) -> str:
        return crypto.blind_index("licence_holder", code.strip().upper())

    @property
    def masked_holder_code(self) -> str:
        if self.holder_code_type == HolderCodeType.CREDIT_CODE:
            return self.holder_code  # a company's credit code is public
        return mask_id_number(self.holder_code or "")

    @property
    def masked_holder_name(self) -> str:
        return (
            mask_name(self.holder_name)
            if self.holder_kind == HolderKind.PERSON
            else self.holder_name
        )


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜: enough for a verifier to compare, no more."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class VersionKind(models.TextChoices):
    ISSUE = "issue", _("签发")
    DIGITISE = "digitise", _("存量电子化")
    ANNOTATE = "annotate", _("加注")
    RENEW = "renew", _("延续")
    CHANGE = "change", _("变更")
    REVOKE = "revoke", _("注销")
    EXPIRE = "expire", _("到期失效")


class LicenceVersion(models.Model):
    licence = models.ForeignKey(
        Licence, verbose_name=_("电子证照"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    kind = models.CharField(_("变动类型"), max_length=10, choices=VersionKind.choices)
    reason = models.TextField(_("原因"), blank=True)
    data = models.JSONField(_("照面信息"), default=dict, blank=True)
    annotations = models.JSONField(_("加注信息"), default=list, blank=True)
    valid_from = models.DateField(_("有效期起始"))
    valid_until = models.DateField(_("有效期截止"), null=True, blank=True)
    issue_date = models.DateField(_("颁证日期"))
    issued_at = models.DateTimeField(_("签名时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    canonical = models.TextField(_("规范化数据"))
    signature = models.TextField(_("SM2签名（Base64）"))
    key = models.ForeignKey(
        "licences.IssuerKey", verbose_name=_("签名密钥"), on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(_("版式文件"), upload_to="licences/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(_("版式文件SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("证照版本")
        verbose_name_plural = _("证照版本")
        ordering = ["licence", "version"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "version"], name="licence_version_unique"),
        ]

    def __str__(self) -> str:
        return self.identifier


class SerialCounter(models.Model):
    """The next serial per licence type, issuer and year (locked while taken)."""

    type = models.ForeignKey(LicenceType, on_delete=models.CASCADE, related_name="+")
    issuer = models.ForeignKey("regions.Department", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["type", "issuer", "year"], name="licence_serial_counter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_id}/{self.issuer_id}/{self.year}: {self.last}"


class LicenceUse(models.Model):
    """One read of a licence — shown to the holder under “谁用了我的证照”."""

    class Kind(models.TextChoices):
        CONSENT = "consent", _("申请时授权使用")
        READ = "read", _("审批人员查看")
        REQUEST = "request", _("部门调取")
        COUNTER = "counter", _("窗口亮证核验")
        SHARE = "share", _("分享链接查看")
        DOWNLOAD = "download", _("持证人下载")

    licence = models.ForeignKey(
        Licence, verbose_name=_("电子证照"), on_delete=models.CASCADE, related_name="uses"
    )
    identifier = models.CharField(_("证照标识"), max_length=120)
    kind = models.CharField(_("用证方式"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("使用人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("使用部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licence_uses",
    )
    purpose = models.CharField(_("用途"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("用证记录")
        verbose_name_plural = _("用证记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["licence", "at"], name="licence_use_time")]

    def __str__(self) -> str:
        return f"{self.identifier} {self.get_kind_display()}"


class LicenceShare(models.Model):
    """A one-time link a holder gives someone to see the licence, until it expires."""

    licence = models.ForeignKey(
        Licence, verbose_name=_("电子证照"), on_delete=models.CASCADE, related_name="shares"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("查看时间"), null=True, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("证照分享链接")
        verbose_name_plural = _("证照分享链接")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.licence} {self.expires_at:%Y-%m-%d %H:%M}"
