"""Licence indicators under /api/v1/ (included by ``licences.api.urls``)."""

from django.urls import path

from .indicators import ElectronicRateView

urlpatterns = [
    path(
        "licences/indicators/electronic-rate",
        ElectronicRateView.as_view(),
        name="licences-indicator-electronic-rate",
    ),
]
