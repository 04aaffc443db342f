from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    """Shared data: the open-data catalogue (数据开放) and the sharing catalogue (共享目录)
    with approvals, logged reads and the materials the hall fetches for applications."""

    name = "govhall.sharing"
    label = "sharing"
    verbose_name = _("数据共享与开放")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from govhall.core.services import audit

        from . import signals  # noqa: F401  (the case engine's shared-material provider)
        from .models import Approval, Resource, ResourceField

        audit.register(Resource, ResourceField, Approval)
        _register_base_libraries()


def _register_base_libraries() -> None:
    """The base libraries' reader, once that app is installed (``services.sources``)."""
    from django.apps import apps

    if apps.is_installed("govhall.baselib"):
        from .services import baselib_source

        baselib_source.register()
