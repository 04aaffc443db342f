from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "govhall.assistant"
    label = "assistant"
    verbose_name = _("知识库与智能客服")

    def ready(self):
        from govhall.core.services import audit

        from . import signals  # noqa: F401  (re-index the clauses of a published version)
        from .models import KnowledgeEntry

        audit.register(KnowledgeEntry)
