"""Staff page of the third-party channels, under /workbench/channels/ (namespace ``channels``)."""

from django.urls import path

from . import views

app_name = "channels"

urlpatterns = [
    path("workbench/channels/", views.usage_page, name="usage"),
]
