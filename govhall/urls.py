from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from govhall.core.api.errors import json_404
from govhall.core.api.views import healthz

api_v1 = [
    path("", include("govhall.core.api.urls")),
    path("", include("govhall.regions.api.urls")),
    path("", include("govhall.catalog.api.urls")),
    path("", include("govhall.accounts.api.urls")),
    path("", include("govhall.cases.api.urls")),
    path("", include("govhall.licences.api.urls")),
    path("", include("govhall.exchange.api.urls")),
    path("", include("govhall.monitoring.api.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="1.0.0"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # Anything else under /api/v1/ is a JSON 404, in DEBUG too.
    re_path(r"^.*$", json_404),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("govhall.operations.urls")),  # /metrics, /readyz, /workbench/operations/
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("workbench/", include("govhall.workbench.urls")),
    path("", include("govhall.workbench.exchange.urls")),
    path("", include("govhall.accounts.urls")),
    path("", include("govhall.catalog.urls")),
    path("", include("govhall.cases.urls")),
    path("", include("govhall.licences.urls")),
    path("", include("govhall.portal.urls")),
]

handler404 = "govhall.portal.views.not_found"
handler500 = "govhall.portal.views.server_error"
