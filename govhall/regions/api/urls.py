from django.urls import path

from . import views

urlpatterns = [
    path("regions/", views.RegionList.as_view(), name="region-list"),
    path("regions/<str:code>/", views.RegionDetail.as_view(), name="region-detail"),
    path("departments/", views.DepartmentList.as_view(), name="department-list"),
    path("departments/<str:code>/", views.DepartmentDetail.as_view(), name="department-detail"),
    path("halls/", views.HallList.as_view(), name="hall-list"),
]
