"""Licence API under /api/v1/ (see docs/api.md)."""

from .holder_urls import urlpatterns as holder
from .public_urls import urlpatterns as public
from .staff_urls import urlpatterns as staff

urlpatterns = [*public, *holder, *staff]
