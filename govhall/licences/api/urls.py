"""Licence API under /api/v1/ (see docs/api.md)."""

from django.urls import path

from .case_licences import CaseLicences
from .holder_urls import urlpatterns as holder
from .indicator_urls import urlpatterns as indicators
from .public_urls import urlpatterns as public
from .staff_urls import urlpatterns as staff

urlpatterns = [
    *public,
    *holder,
    *staff,
    *indicators,
    path(
        "staff/cases/<str:number>/licences",
        CaseLicences.as_view(),
        name="api-staff-case-licences",
    ),
]
