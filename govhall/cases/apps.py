from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = _("统一申办受理")

    def ready(self):
        # Case state changes are audited explicitly by services.transitions (one entry
        # per change, beside its process record), not by save signals.
        from . import signals  # noqa: F401
