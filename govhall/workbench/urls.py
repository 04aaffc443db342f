"""The staff shell's own pages: sign-in, sign-out and the home page with its panels.

Each app's staff pages are its own (``<app>/views/staff``) and are listed by its
``staff_urlpatterns``; ``govhall/urls.py`` mounts them under /workbench/ — those of cases,
licences and monitoring in this namespace, whose names (``workbench:case``…) predate the
move.
"""

from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
