from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Operations (§13): the scheduler, health and metrics, backups, the client address."""

    name = "govhall.operations"
    label = "operations"
    verbose_name = _("运行维护")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (deployment checks, `make deploy-check`)
            registry,
        )

        registry.autodiscover()
