"""Staff licence desk, included by workbench.urls under /workbench/licences/."""

from .batch_urls import urlpatterns as batches
from .desk_urls import urlpatterns as desk

urlpatterns = [*desk, *batches]
