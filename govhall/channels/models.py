"""Third-party channels (第三方渠道): city-service entries in payment and messaging apps,
bank apps and self-service terminals, each an OAuth2 client of the hall's provider.

A channel signs people in through the hall's OpenID Connect (authorization code + PKCE)
and calls the documented API with their token; the token's client names the channel, so
every case and rating it brings records it (``cases.Case.channel_client``), its calls are
limited per channel (``rate_per_minute``) and counted per day (``ChannelDay``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    class Kind(models.TextChoices):
        PAYMENT_APP = "payment_app", _("支付应用城市服务")
        MESSAGING_APP = "messaging_app", _("社交应用城市服务")
        BANK_APP = "bank_app", _("银行应用")
        KIOSK = "kiosk", _("自助终端")

    code = models.SlugField(_("渠道代码"), max_length=60, unique=True)
    name = models.CharField(_("渠道名称"), max_length=150)
    kind = models.CharField(_("渠道类型"), max_length=20, choices=Kind.choices)
    # The OAuth2 client (authorization code + PKCE) the channel signs people in with.
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("OAuth2 客户端"),
        on_delete=models.PROTECT,
        related_name="third_party_channel",
    )
    operator = models.CharField(_("运营单位"), max_length=150, blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=150, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("每分钟调用上限"), default=600)
    is_active = models.BooleanField(_("启用"), default=True)
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
        verbose_name = _("第三方渠道")
        verbose_name_plural = _("第三方渠道")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def case_channel(self) -> str:
        """The 申请渠道 its cases count under: apps are 移动端 (手机办理), terminals 自助终端."""
        return "kiosk" if self.kind == self.Kind.KIOSK else "mobile"


class ChannelDay(models.Model):
    """One channel's API calls on one day (cases and ratings are counted from their rows)."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("日期"))
    requests = models.PositiveIntegerField(_("调用次数"), default=0)
    errors = models.PositiveIntegerField(_("出错次数"), default=0)  # status >= 400
    throttled = models.PositiveIntegerField(_("超限次数"), default=0)  # 429

    class Meta:
        verbose_name = _("渠道日调用量")
        verbose_name_plural = _("渠道日调用量")
        ordering = ["channel", "day"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="channel_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel.code} {self.day}"
