from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from govhall.cases import urls as cases_urls
from govhall.core import views as core_views
from govhall.core.api.errors import json_400, json_403, json_404, json_500, under_api
from govhall.core.api.views import healthz
from govhall.core.csp import allow_inline_styles
from govhall.licences import urls as licences_urls
from govhall.monitoring import urls as monitoring_urls
from govhall.portal import views as portal_views
from govhall.workbench import urls as workbench_urls

api_v1 = [
    path("", include("govhall.core.api.urls")),
    path("", include("govhall.regions.api.urls")),
    path("", include("govhall.catalog.api.urls")),
    path("", include("govhall.accounts.api.urls")),
    path("", include("govhall.cases.api.urls")),
    path("", include("govhall.licences.api.urls")),
    path("", include("govhall.exchange.api.urls")),
    path("", include("govhall.monitoring.api.urls")),
    path("", include("govhall.spaces.api.urls")),
    path("", include("govhall.supervision.api.urls")),
    path("", include("govhall.assistant.api.urls")),
    path("", include("govhall.sharing.api.urls")),
    path("", include("govhall.payments.api.urls")),
    path("", include("govhall.channels.api.urls")),
    path("", include("govhall.baselib.api.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="1.0.0"), name="schema"),
    path(
        "docs/",
        allow_inline_styles(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "redoc/",
        allow_inline_styles(SpectacularRedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
    # Anything else under /api/v1/ is a JSON 404, in DEBUG too (any character, \n too).
    re_path(r"^[\s\S]*$", json_404),
]

# The staff shell and, in its namespace, the staff pages of the apps that predate their
# own (each app exports ``staff_urlpatterns``; newer apps use their own namespace).
workbench = [
    *workbench_urls.urlpatterns,
    *cases_urls.staff_urlpatterns,
    *licences_urls.staff_urlpatterns,
    *monitoring_urls.staff_urlpatterns,
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("govhall.operations.urls")),  # /metrics, /readyz, /workbench/operations/
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("workbench/", include((workbench, "workbench"))),
    path("", include("govhall.exchange.urls")),
    path("", include("govhall.supervision.urls")),
    path("", include("govhall.accounts.urls")),
    path("", include("govhall.catalog.urls")),
    path("", include("govhall.cases.urls")),
    path("", include("govhall.cases.views_documents")),
    path("", include("govhall.mobile.urls")),
    path("", include("govhall.licences.urls")),
    path("", include("govhall.spaces.urls")),
    path("", include("govhall.assistant.urls")),
    path("", include("govhall.sharing.urls")),
    path("", include("govhall.payments.urls")),
    path("gateway-sim/", include("govhall.payments.gatewaysim.urls")),
    path("", include("govhall.channels.urls")),
    path("", include("govhall.baselib.urls")),
    path("", include("govhall.portal.urls")),
]

# Under /api/ every error is JSON in the one shape; elsewhere a Chinese page.
handler400 = under_api(core_views.bad_request, json_400)
handler403 = under_api(portal_views.permission_denied, json_403)
handler404 = under_api(portal_views.not_found, json_404)
handler500 = under_api(portal_views.server_error, json_500)
