from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/catalog.jsonld", views.dcat, name="open-data-dcat"),
    path("open-data/<slug:key>.<str:fmt>", views.download, name="open-data-download"),
]
