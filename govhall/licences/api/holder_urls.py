"""The holder's licence API under /api/v1/ (docs/api.md): list, detail, uses, PDF, shares."""

from django.urls import path

from . import holder

urlpatterns = [
    path("my/licences/", holder.MyLicenceList.as_view(), name="api-my-licences"),
    path(
        "my/licences/<str:identifier>/",
        holder.MyLicenceDetail.as_view(),
        name="api-my-licence",
    ),
    path(
        "my/licences/<str:identifier>/uses",
        holder.MyLicenceUses.as_view(),
        name="api-my-licence-uses",
    ),
    path(
        "my/licences/<str:identifier>/pdf",
        holder.MyLicencePdf.as_view(),
        name="api-my-licence-pdf",
    ),
    path(
        "my/licences/<str:identifier>/bundle",
        holder.MyLicenceBundle.as_view(),
        name="api-my-licence-bundle",
    ),
    path(
        "my/licences/<str:identifier>/shares",
        holder.MyLicenceShares.as_view(),
        name="api-my-licence-shares",
    ),
]
