from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "govhall.supervision"
    label = "supervision"
    verbose_name = _("效能监督")

    def ready(self):
        # The 效能监督 card of the workbench's home page: open cards within reach.
        from govhall.workbench.views import register_figures

        from . import signals  # noqa: F401
        from .services import queries

        register_figures(
            "supervision",
            lambda user, scope: (
                queries.counts(queries.visible(user)) if scope.is_staff_member else None
            ),
        )
