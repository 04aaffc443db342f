from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "govhall.spaces"
    label = "spaces"
    verbose_name = _("企业专属网页、市民个人网页")

    def ready(self):
        from govhall.core.services import audit

        from . import signals  # noqa: F401  (records the reads other subsystems report)
        from .models import (
            CompanyProfile,
            DataReadDispute,
            Preference,
            Push,
            PushRule,
            Reminder,
            SpaceOpening,
        )

        # The data-use log is itself append-only and is not audited read by read.
        audit.register(
            SpaceOpening, Preference, Reminder, CompanyProfile, PushRule, Push, DataReadDispute
        )
