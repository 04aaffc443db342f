"""Assistant API, included under /api/v1/ (docs/api.md, "Assistant (§12)")."""

from django.urls import path

from . import views

urlpatterns = [
    path("assistant/ask", views.AskView.as_view(), name="api-assistant-ask"),
    path("assistant/feedback", views.FeedbackView.as_view(), name="api-assistant-feedback"),
    path(
        "assistant/consultations/",
        views.ConsultationCreateView.as_view(),
        name="api-assistant-consultations",
    ),
    path("assistant/queue", views.ConsultationQueueView.as_view(), name="api-assistant-queue"),
    path(
        "assistant/consultations/<str:public_id>/messages",
        views.MessagesView.as_view(),
        name="api-assistant-messages",
    ),
    path(
        "assistant/consultations/<str:public_id>/take",
        views.TakeView.as_view(),
        name="api-assistant-take",
    ),
    path(
        "assistant/consultations/<str:public_id>/transfer",
        views.TransferView.as_view(),
        name="api-assistant-transfer",
    ),
    path(
        "assistant/consultations/<str:public_id>/close",
        views.CloseView.as_view(),
        name="api-assistant-close",
    ),
    path(
        "assistant/consultations/<str:public_id>/rating",
        views.RatingView.as_view(),
        name="api-assistant-rating",
    ),
]
