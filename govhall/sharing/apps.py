from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    """Shared data and the service big database: today the open-data catalogue (数据开放)."""

    name = "govhall.sharing"
    label = "sharing"
    verbose_name = _("数据共享与开放")
    default_auto_field = "django.db.models.BigAutoField"
