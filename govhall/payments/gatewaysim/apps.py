from django.apps import AppConfig


class GatewaySimConfig(AppConfig):
    """The bundled payment gateway (模拟支付平台): a provider of its own, mounted at
    /gateway-sim/, that the platform reaches only over HTTP like any real gateway."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "govhall.payments.gatewaysim"
    label = "gatewaysim"
    verbose_name = "模拟支付平台"
