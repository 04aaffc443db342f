from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "govhall.catalog"
    label = "catalog"
    verbose_name = _("服务事项目录")

    def ready(self):
        from govhall.core.services import audit

        from . import models as m

        # Version content rows (materials, steps, fees...) are written in bulk by the
        # services, which audit each save of a version's content as one entry.
        audit.register(
            m.Theme,
            m.LifeEvent,
            m.BasicItem,
            m.Item,
            m.ItemVersion,
            m.ReviewRecord,
            m.ChangeRecord,
            m.Bundle,
            m.BundleMember,
            m.Scenario,
        )
