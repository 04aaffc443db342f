from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "govhall.licences"
    label = "licences"
    verbose_name = _("电子证照")

    def ready(self):
        # The case engine asks registered providers which licences an applicant holds
        # and tells listeners when a case concludes; this app answers and issues.
        # The staff case page's licence section (consented licences, 部门调取).
        from govhall.cases.views.staff.case import SECTIONS

        from . import signals  # noqa: F401
        from .views.staff.case_licences import context_for

        SECTIONS.append(context_for)
