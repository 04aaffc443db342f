"""Staff licence desk, included by workbench.urls under /workbench/licences/."""

from django.urls import path

from . import counter
from .batch_urls import urlpatterns as batches
from .desk_urls import urlpatterns as desk

urlpatterns = [
    path("shown/", counter.check_shown, name="licences-shown"),
    *desk,
    *batches,
]
