from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileConfig(AppConfig):
    name = "govhall.mobile"
    label = "mobile"
    verbose_name = _("移动端入口监测")

    def ready(self):
        from govhall.core.services import audit

        from .models import EntryAlert, MobileEntry

        # Registration and alerts are audited; probe results are measurements, not changes.
        audit.register(MobileEntry, EntryAlert)
