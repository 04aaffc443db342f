from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark material, kept out of the product apps: no product app imports it."""

    name = "govhall.demo"
    label = "demo"
    verbose_name = "演示数据"
