from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "govhall.accounts"
    label = "accounts"
    verbose_name = _("账号与身份")

    def ready(self):
        from govhall.core.services import audit

        from . import signals  # noqa: F401
        from .models import User

        audit.register(User)
