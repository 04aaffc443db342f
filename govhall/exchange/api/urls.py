"""Exchange API, included under /api/v1/ by govhall/urls.py (public contract, docs/api.md,
"Exchange")."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path(
        "exchange/process-records",
        views.ProcessRecordsView.as_view(),
        name="api-exchange-process-records",
    ),
    path("exchange/quality", views.QualityView.as_view(), name="api-exchange-quality"),
    re_path(
        r"^exchange/schemas/(?P<name>[a-z0-9.-]{1,80}\.json)$",
        views.SchemaFileView.as_view(),
        name="api-exchange-schema",
    ),
]
