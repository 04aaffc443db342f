"""Department systems registered as OpenID Connect clients, and what a token speaks for."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from .identity import Company
from .security import Channel


class ClientProfile(models.Model):
    """The hall's facts about one OIDC client (a department system, 部门业务系统)."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        verbose_name=_("客户端"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="oidc_clients",
    )
    allowed_scopes = models.CharField(
        _("允许的授权范围"),
        max_length=200,
        default="openid profile",
        help_text=_("以空格分隔，例如：openid profile phone id_number company staff"),
    )
    channel = models.CharField(
        _("默认渠道"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("对接系统")
        verbose_name_plural = _("对接系统")

    def __str__(self) -> str:
        return str(self.application)

    @property
    def scopes(self) -> list[str]:
        return self.allowed_scopes.split()


class AuthorizationContext(models.Model):
    """The acting company chosen in the session when a client was authorised.

    The session is gone by the time the client redeems its code or calls userinfo, so the
    choice is kept with the authorisation code and then with the access token it yields.
    """

    grant = models.OneToOneField(
        oauth2_settings.GRANT_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="govhall_context",
    )
    access_token = models.OneToOneField(
        oauth2_settings.ACCESS_TOKEN_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="govhall_context",
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("授权身份上下文")
        verbose_name_plural = _("授权身份上下文")

    def __str__(self) -> str:
        return f"{self.grant_id or self.access_token_id} → {self.company_id}"
