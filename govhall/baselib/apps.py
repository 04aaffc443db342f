from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaselibConfig(AppConfig):
    """The base libraries of the service big database (政务服务大数据库): population (人口库)
    and legal persons (法人库), one authoritative source department per attribute."""

    name = "govhall.baselib"
    label = "baselib"
    verbose_name = _("基础信息库")
    default_auto_field = "django.db.models.BigAutoField"
