"""Licence pages (namespace ``licences``), included at the site root."""

from .views.holder_urls import urlpatterns as holder
from .views.public_urls import urlpatterns as public

app_name = "licences"

urlpatterns = [*holder, *public]
