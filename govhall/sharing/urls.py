from django.urls import path

from . import staff_views, views

app_name = "sharing"

urlpatterns = [
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/catalog.jsonld", views.dcat, name="open-data-dcat"),
    path("open-data/<slug:key>.<str:fmt>", views.download, name="open-data-download"),
    path("workbench/sharing/", staff_views.index, name="staff-index"),
    path("workbench/sharing/request/", staff_views.request_new, name="staff-request"),
    path("workbench/sharing/resources/new/", staff_views.resource_new, name="staff-resource-new"),
    path(
        "workbench/sharing/resources/<str:code>/edit/",
        staff_views.resource_edit,
        name="staff-resource-edit",
    ),
    path(
        "workbench/sharing/approvals/<uuid:public_id>/",
        staff_views.approval_page,
        name="staff-approval",
    ),
]
