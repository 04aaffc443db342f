from django.urls import path

from . import sharing, views

urlpatterns = [
    path("open-data/", views.OpenDataList.as_view(), name="open-data"),
    path("open-data/<slug:key>/", views.OpenDataDetail.as_view(), name="open-data-detail"),
    path("sharing/resources/", sharing.ResourceList.as_view(), name="sharing-resources"),
    path("sharing/reads/", sharing.ReadView.as_view(), name="sharing-read"),
]
