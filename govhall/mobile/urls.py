"""Entry monitoring pages (namespace ``mobile``) and the installable app shell's manifest
and service worker at the site root."""

from django.urls import path

from . import shell, views

app_name = "mobile"

urlpatterns = [
    *views.urlpatterns,
    path("manifest.webmanifest", shell.manifest, name="manifest"),
    path("sw.js", shell.service_worker, name="service-worker"),
    path("offline/", shell.offline, name="offline"),
]
