from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "govhall.search"
    label = "search"
    verbose_name = _("事项检索")

    def ready(self):
        from govhall.core.services import audit

        from . import signals  # noqa: F401  (cache invalidation of the synonym table)
        from .models import SynonymGroup

        audit.register(SynonymGroup)
