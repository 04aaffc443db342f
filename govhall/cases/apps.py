from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = _("统一申办受理")

    def ready(self):
        # Case state changes are audited explicitly by services.transitions (one entry
        # per change, beside its process record), not by save signals.
        from govhall.records import sources

        from . import signals  # noqa: F401
        from .views.staff.common import staff_case_url

        sources.register_local_case_page(staff_case_url)

        from govhall.workbench.views import register_figures

        from .views.staff.inbox import inbox_counts

        register_figures("inbox", inbox_counts)
