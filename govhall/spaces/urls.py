"""Pages of the two-page subsystem (namespace ``spaces``), included at the site root."""

from django.urls import path

from .views import space

app_name = "spaces"

urlpatterns = [
    path("my/space/", space.space, name="home"),
]
