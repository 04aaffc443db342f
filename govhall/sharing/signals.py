"""Hooks into the case engine: materials the hall fetches from shared data (免提交)."""

from govhall.cases.models import Application
from govhall.cases.services import hooks

from .services import materials


def _on_submitted(sender, application, cases, **kwargs):
    """Read the shared materials the hall offered to fetch, under each case's department's
    approval; a failed read refuses the submission (it rolls back) with the reason."""
    materials.fetch_for_cases(application, cases)


materials.register()
hooks.submitted.connect(_on_submitted, sender=Application, dispatch_uid="sharing-fetch")
