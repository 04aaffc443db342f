"""Pages of supervision: staff under /workbench/supervision/, public under /supervision/."""

from django.urls import path

from .views import warnings

app_name = "supervision"

urlpatterns = [
    path("workbench/supervision/", warnings.warning_list, name="warnings"),
    path("workbench/supervision/warnings/<int:pk>/", warnings.warning_page, name="warning"),
    path(
        "workbench/supervision/warnings/<int:pk>/<slug:action>/",
        warnings.warning_action,
        name="warning-action",
    ),
]
