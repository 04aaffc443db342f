from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "govhall.records"
    label = "records"
    verbose_name = _("办件过程信息")
