"""Exchange clients: the branch halls, vertical and department systems that push
process records, each an OAuth2 client (client credentials) limited to a scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExchangeClient(models.Model):
    class Kind(models.TextChoices):
        BRANCH_HALL = "branch_hall", _("网上办事分厅")
        VERTICAL = "vertical", _("垂直业务系统")
        DEPARTMENT = "department", _("部门自建业务系统")

    code = models.SlugField(_("客户端代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=150)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    # The OAuth2 client (grant: client credentials) the system authenticates with.
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("OAuth2 客户端"),
        on_delete=models.PROTECT,
        related_name="exchange_client",
    )
    # Scope: records must name a region inside one of these (prefix match) and, when
    # departments are listed, one of these departments.
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("可报送区划"), related_name="+"
    )
    departments = models.ManyToManyField(
        "regions.Department", verbose_name=_("可报送部门"), blank=True, related_name="+"
    )
    # Implementation codes handled in this system rather than on the unified acceptance
    # platform (进驻统一申办受理平台比率 counts the others).
    own_item_codes = models.JSONField(_("自建系统办理的事项实施编码"), default=list, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("每分钟调用上限"), default=120)
    is_active = models.BooleanField(_("启用"), default=True)
    contact = models.CharField(_("联系人及电话"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("数据交换客户端")
        verbose_name_plural = _("数据交换客户端")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ExchangeCall(models.Model):
    """One call of the exchange API, kept whatever its outcome (every call is logged)."""

    client = models.ForeignKey(
        ExchangeClient,
        verbose_name=_("客户端"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calls",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("路径"), max_length=200)
    status_code = models.PositiveSmallIntegerField(_("状态码"))
    records = models.PositiveIntegerField(_("记录数"), default=0)
    accepted = models.PositiveIntegerField(_("接收"), default=0)
    duplicates = models.PositiveIntegerField(_("重复"), default=0)
    rejected = models.PositiveIntegerField(_("拒收"), default=0)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "at"], name="exchange_call_client_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status_code}"
