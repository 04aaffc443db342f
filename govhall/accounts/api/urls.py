"""Identity API, included under /api/v1/ by govhall/urls.py."""

from django.urls import path

from .views import MeView

urlpatterns = [
    path("me", MeView.as_view(), name="me"),
]
