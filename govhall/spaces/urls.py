"""Pages of the two-page subsystem (namespace ``spaces``), included at the site root."""

from django.urls import path

from .views import datareads, disputes, household, indicators, preferences, pushes, space

app_name = "spaces"

urlpatterns = [
    path("my/space/", space.space, name="home"),
    path("my/space/settings/", preferences.settings_page, name="settings"),
    path("my/space/household/", household.household_page, name="household"),
    path("my/space/household/<int:pk>/end/", household.end_grant, name="household-end"),
    path("my/space/pushes/<int:pk>/open/", pushes.open_push, name="push-open"),
    path("my/space/data-use/", datareads.data_reads, name="data-reads"),
    path("my/space/data-use/download/", datareads.download, name="data-reads-download"),
    path("my/space/data-use/<int:pk>/dispute/", datareads.dispute, name="dispute"),
    path("workbench/spaces/", indicators.indicators_page, name="indicators"),
    path("workbench/spaces/disputes/", disputes.dispute_list, name="disputes"),
    path(
        "workbench/spaces/disputes/<int:pk>/answer/",
        disputes.dispute_answer,
        name="dispute-answer",
    ),
]
