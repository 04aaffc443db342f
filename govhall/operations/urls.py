"""Operations URLs: /metrics, /readyz and the workbench's operations page."""

from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("metrics", views.metrics_view, name="metrics"),
    path("readyz", views.readyz, name="readyz"),
    path("workbench/operations/", views.overview, name="overview"),
    path("workbench/operations/jobs/<slug:name>/run/", views.run_now, name="run-now"),
]
