"""Staff pages of the exchange, under /workbench/exchange/ (namespace ``exchange``)."""

from django.urls import path

from .views import staff as views

app_name = "exchange"

staff_urlpatterns = [
    path("workbench/exchange/", views.client_list, name="clients"),
    path("workbench/exchange/register/", views.register, name="register"),
    path(
        "workbench/exchange/alerts/<int:pk>/resolve/",
        views.resolve_alert,
        name="resolve-alert",
    ),
    path("workbench/exchange/<slug:code>/", views.client_page, name="client"),
    path(
        "workbench/exchange/<slug:code>/rotate-secret/",
        views.rotate_secret,
        name="rotate-secret",
    ),
    path("workbench/exchange/<slug:code>/active/", views.set_active, name="set-active"),
]

urlpatterns = staff_urlpatterns
