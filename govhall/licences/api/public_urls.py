"""Public licence API (docs/api.md): verification, keys, revocations, licence types."""

from django.urls import path

from . import public

urlpatterns = [
    path("licences/verify", public.LicenceVerifyView.as_view(), name="api-licence-verify"),
    path("licences/issuers", public.IssuerListView.as_view(), name="api-licence-issuers"),
    path(
        "licences/revocations",
        public.RevocationListView.as_view(),
        name="api-licence-revocations",
    ),
    path("licence-types/", public.LicenceTypeListView.as_view(), name="api-licence-types"),
    path(
        "licence-types/<str:code>/",
        public.LicenceTypeDetailView.as_view(),
        name="api-licence-type",
    ),
]
