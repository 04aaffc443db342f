from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "govhall.regions"
    label = "regions"
    verbose_name = _("区划、大厅与部门")

    def ready(self):
        from govhall.core.services import audit

        from . import signals  # noqa: F401
        from .models import Department, Hall, Region, StaffAccount, StaffPost

        audit.register(Region, Hall, Department, StaffPost, StaffAccount)
