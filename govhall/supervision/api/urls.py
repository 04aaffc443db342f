"""Supervision API under /api/v1/ (see docs/api.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "supervision/warnings",
        views.WarningListView.as_view(),
        name="api-supervision-warnings",
    ),
    path(
        "supervision/warnings/<int:pk>",
        views.WarningDetailView.as_view(),
        name="api-supervision-warning",
    ),
    path(
        "supervision/warnings/<int:pk>/<slug:action>",
        views.WarningActionView.as_view(),
        name="api-supervision-warning-action",
    ),
]
