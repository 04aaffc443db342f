"""Monitoring API under /api/v1/ (see docs/api.md)."""

from django.urls import path

from .views import BehindView, RegionIndicatorsView

urlpatterns = [
    path(
        "monitoring/regions/<str:code>/indicators",
        RegionIndicatorsView.as_view(),
        name="api-monitoring-indicators",
    ),
    path(
        "monitoring/regions/<str:code>/behind",
        BehindView.as_view(),
        name="api-monitoring-behind",
    ),
]
