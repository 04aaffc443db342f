"""The one user model: citizens, company staff and government staff all sign in with it."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account. A person's identity hangs off it as ``user.person`` (see ``Person``).

    ``username`` is an opaque account name for citizens (``gh…``), never their ID number,
    because it appears in audit entries and logs; citizens sign in with their ID number
    or mobile phone instead, which the authentication backend resolves.
    """

    display_name = models.CharField(_("显示名称"), max_length=100, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, unique=True, null=True, blank=True)
    mobile_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def masked_mobile(self) -> str:
        from .identity import mask_mobile

        return mask_mobile(self.mobile or "")
