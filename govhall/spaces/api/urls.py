"""The two pages' API, included under /api/v1/ (docs/api.md, "Spaces (§7)")."""

from django.urls import path

from . import views

urlpatterns = [
    path("spaces/indicators", views.SpaceIndicatorsView.as_view(), name="api-space-indicators"),
    path("my/space", views.MySpaceView.as_view(), name="api-my-space"),
    path(
        "my/space/preferences",
        views.MyPreferencesView.as_view(),
        name="api-my-space-preferences",
    ),
    path(
        "my/space/pushes/<int:push_id>/open",
        views.PushOpenView.as_view(),
        name="api-my-space-push-open",
    ),
    path("my/space/data-reads", views.MyDataReadsView.as_view(), name="api-my-data-reads"),
    path(
        "my/space/data-reads/<int:read_id>/dispute",
        views.DisputeView.as_view(),
        name="api-my-data-read-dispute",
    ),
]
