from django.urls import path

from . import views

app_name = "baselib"

urlpatterns = [
    path("workbench/baselib/", views.overview, name="overview"),
    path("workbench/baselib/themes/", views.theme_list, name="themes"),
    path("workbench/baselib/themes/<slug:code>/", views.theme_members, name="theme-members"),
    path("workbench/baselib/conflicts/", views.conflict_list, name="conflicts"),
    path(
        "workbench/baselib/conflicts/<int:pk>/resolve/",
        views.conflict_resolve,
        name="conflict-resolve",
    ),
]
