"""Public licence pages (namespace ``licences``): verification, keys, the licence-type catalogue."""

from django.urls import path

from . import public

urlpatterns = [
    path("licences/verify/", public.verify, name="verify"),
    path("licences/issuers/", public.issuers, name="issuers"),
    path("licences/types/", public.types, name="types"),
    path("licences/types/<str:code>/", public.licence_type, name="type"),
]
