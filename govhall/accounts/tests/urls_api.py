"""Test URLconf: the site plus the identity API where govhall/urls.py will include it."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("govhall.accounts.api.urls")),
    path("", include("govhall.urls")),
]
