from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "govhall.accounts"
    label = "accounts"
    verbose_name = _("账号与身份")

    def ready(self):
        from oauth2_provider.models import get_application_model

        from govhall.core.services import audit

        from . import signals  # noqa: F401
        from .models import (
            AgentGrant,
            ClientProfile,
            Company,
            LegalAcceptance,
            LegalDocument,
            Person,
            RealNameVerification,
            User,
        )

        # Every row change of these is audited; ID numbers are masked and client secrets
        # dropped by the audit snapshot. Bulk legacy imports are audited per batch instead.
        audit.register(
            User,
            Person,
            Company,
            AgentGrant,
            RealNameVerification,
            ClientProfile,
            get_application_model(),
            LegalDocument,
            LegalAcceptance,
        )
