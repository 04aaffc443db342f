from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "govhall.payments"
    verbose_name = "收费与缴款"

    def ready(self):
        from . import signals  # noqa: F401  (the case hooks)
