"""Base-library API, included under /api/v1/ by govhall/urls.py (docs/api.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "exchange/data-updates",
        views.DataUpdatesView.as_view(),
        name="api-exchange-data-updates",
    ),
    path("baselib/attributes", views.AttributeListView.as_view(), name="api-baselib-attributes"),
    path("baselib/themes", views.ThemeListView.as_view(), name="api-baselib-themes"),
    path(
        "baselib/themes/<slug:code>/members",
        views.ThemeMembersView.as_view(),
        name="api-baselib-theme-members",
    ),
    path("baselib/conflicts", views.ConflictListView.as_view(), name="api-baselib-conflicts"),
    path(
        "baselib/conflicts/<int:pk>/resolve",
        views.ConflictResolveView.as_view(),
        name="api-baselib-conflict-resolve",
    ),
]
