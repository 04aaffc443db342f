"""Phone codes, sign-in records and the failed-login counters behind lockout."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a sign-in happened (渠道)."""

    WEB = "web", _("网站")
    MOBILE = "mobile", _("移动端")
    KIOSK = "kiosk", _("自助终端")
    COUNTER = "counter", _("窗口")


class PhoneCode(models.Model):
    """A one-time code sent by SMS; only its keyed hash is stored."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("注册")
        CHANGE_MOBILE = "change_mobile", _("更换手机号码")
        RESET_PASSWORD = "reset_password", _("重置密码")
        COMPLAINT = "complaint", _("投诉")
        LOGIN = "login", _("登录")

    mobile = models.CharField(_("手机号码"), max_length=11, db_index=True)
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    consumed_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        from .identity import mask_mobile

        return f"{mask_mobile(self.mobile)} · {self.get_purpose_display()}"


class LoginEvent(models.Model):
    """A successful sign-in: who, through which channel, hall and client."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("密码")
        PASSWORD_TOTP = "password_totp", _("密码＋动态口令")
        SMS = "sms", _("短信验证码")
        REGISTRATION = "registration", _("注册时短信验证")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="login_events",
    )
    occurred_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    method = models.CharField(
        _("方式"), max_length=20, choices=Method.choices, default=Method.PASSWORD
    )
    hall = models.ForeignKey(
        "regions.Hall",
        verbose_name=_("办事大厅"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_channel_display()} · {self.occurred_at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failed sign-ins of one account (``user:<pk>``) or one address (``ip:<addr>``)."""

    key = models.CharField(_("对象"), max_length=80, unique=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    first_failure_at = models.DateTimeField(_("首次失败时间"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("最近失败时间"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
