"""Accounts. The foundation needs only the user model itself: staff sign in with it.

Persons, companies, agents and real-name levels arrive with the identity subsystem
(§4); they hang off this model, which is why it exists from the first migration.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    display_name = models.CharField(_("显示名称"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username
