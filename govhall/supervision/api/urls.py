"""Supervision API under /api/v1/ (see docs/api.md)."""

from django.urls import path

from . import complaints, disclosure, ratings, views

urlpatterns = [
    path(
        "supervision/warnings",
        views.WarningListView.as_view(),
        name="api-supervision-warnings",
    ),
    path(
        "supervision/warnings/<int:pk>",
        views.WarningDetailView.as_view(),
        name="api-supervision-warning",
    ),
    path(
        "supervision/warnings/<int:pk>/<slug:action>",
        views.WarningActionView.as_view(),
        name="api-supervision-warning-action",
    ),
    path("supervision/scores", views.ScoresView.as_view(), name="api-supervision-scores"),
    path("ratings", ratings.RatingView.as_view(), name="api-ratings"),
    path("ratings/<str:number>", ratings.MyRatingView.as_view(), name="api-my-rating"),
    path(
        "supervision/follow-ups",
        ratings.FollowUpListView.as_view(),
        name="api-supervision-follow-ups",
    ),
    path(
        "supervision/follow-ups/<int:pk>/<slug:action>",
        ratings.FollowUpActionView.as_view(),
        name="api-supervision-follow-up-action",
    ),
    path("disclosure/", disclosure.DisclosureView.as_view(), name="api-disclosure"),
    path("complaints", complaints.ComplaintCreateView.as_view(), name="api-complaints"),
    path("complaints/sms-code", complaints.ComplaintCodeView.as_view(), name="api-complaint-code"),
    path(
        "complaints/<str:number>",
        complaints.ComplaintStatusView.as_view(),
        name="api-complaint",
    ),
    path(
        "complaints/<str:number>/rating",
        complaints.ComplaintRatingView.as_view(),
        name="api-complaint-rating",
    ),
    path(
        "supervision/complaints",
        complaints.StaffComplaintListView.as_view(),
        name="api-supervision-complaints",
    ),
    path(
        "supervision/complaints/<str:number>/answer",
        complaints.StaffComplaintAnswerView.as_view(),
        name="api-supervision-complaint-answer",
    ),
    path(
        "supervision/complaints/<str:number>/forward",
        complaints.StaffComplaintForwardView.as_view(),
        name="api-supervision-complaint-forward",
    ),
]
