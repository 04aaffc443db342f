"""Staff licence API (docs/api.md): the desk's list, detail and lifecycle actions."""

from django.urls import path

from . import staff

urlpatterns = [
    path("staff/licences/", staff.StaffLicenceList.as_view(), name="api-staff-licences"),
    path(
        "staff/licences/<str:identifier>/",
        staff.StaffLicenceDetailView.as_view(),
        name="api-staff-licence",
    ),
    *[
        path(
            f"staff/licences/<str:identifier>/actions/{slug}",
            view.as_view(),
            name=f"api-staff-licence-{slug}",
        )
        for slug, view in staff.ACTION_VIEWS.items()
    ],
]
