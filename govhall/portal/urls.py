from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("halls/", views.hall_switch, name="hall-switch"),
    path("halls/<str:code>/", views.hall, name="hall"),
    path("halls/<str:code>/<slug:slug>/", views.section, name="section"),
    path("elder-mode/", views.toggle_elder_mode, name="elder-mode"),
]
