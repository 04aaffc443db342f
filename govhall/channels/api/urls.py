from django.urls import path

from . import views

urlpatterns = [
    path("channels/usage", views.ChannelUsageView.as_view(), name="api-channel-usage"),
]
