"""我的证照 pages (namespace ``licences``) and the public one-time share view."""

from django.urls import path

from . import holder

urlpatterns = [
    path("my/licences/", holder.licence_list, name="my-licences"),
    path("my/licences/uses/", holder.licence_uses, name="my-licence-uses"),
    path("my/licences/<int:pk>/", holder.licence_detail, name="my-licence"),
    path("my/licences/<int:pk>/pdf", holder.licence_pdf, name="my-licence-pdf"),
    path("my/licences/<int:pk>/live-code", holder.licence_live_code, name="my-licence-live-code"),
    path("my/licences/<int:pk>/bundle", holder.licence_bundle, name="my-licence-bundle"),
    path(
        "my/licences/<int:pk>/shares/<int:share_pk>/revoke",
        holder.share_revoke,
        name="my-licence-share-revoke",
    ),
    path("licences/shared/<str:token>/", holder.shared, name="shared"),
]
