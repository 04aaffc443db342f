from django.urls import path

from . import views

urlpatterns = [
    path("open-data/", views.OpenDataList.as_view(), name="open-data"),
    path("open-data/<slug:key>/", views.OpenDataDetail.as_view(), name="open-data-detail"),
]
