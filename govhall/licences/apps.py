from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "govhall.licences"
    label = "licences"
    verbose_name = _("电子证照")

    def ready(self):
        # The case engine asks registered providers which licences an applicant holds
        # and tells listeners when a case concludes; this app answers and issues.
        from . import signals  # noqa: F401
