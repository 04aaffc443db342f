"""The licence desk (namespace ``workbench``, under /workbench/licences/)."""

from django.urls import path

from . import desk

urlpatterns = [
    path("", desk.licence_list, name="licences-list"),
    path("types/", desk.type_list, name="licences-types"),
    path("types/new/", desk.type_new, name="licences-type-new"),
    path("types/<int:pk>/", desk.type_edit, name="licences-type"),
    path("keys/", desk.keys, name="licences-keys"),
    path("keys/<int:department_pk>/rotate/", desk.key_rotate, name="licences-key-rotate"),
    path("<int:pk>/", desk.licence_detail, name="licences-detail"),
    path("<int:pk>/<slug:action>/", desk.licence_action, name="licences-action"),
]
