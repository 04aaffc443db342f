from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "govhall.monitoring"
    label = "monitoring"
    verbose_name = _("数据监测")

    def ready(self):
        from govhall.core.services import audit

        from . import signals  # noqa: F401
        from .models import PageUsage, PopulationBase, Target

        audit.register(Target, PopulationBase, PageUsage)
