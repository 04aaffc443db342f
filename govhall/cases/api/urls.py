"""Case API, included under /api/v1/ by govhall/urls.py (docs/api.md, "Cases (§5)")."""

from django.urls import path

from .views import applications, my_cases, public, staff

urlpatterns = [
    # public contract (docs/api.md)
    path(
        "cases/<str:number>/progress",
        public.CaseProgressView.as_view(),
        name="api-case-progress",
    ),
    # applicant: drafts
    path(
        "applications/", applications.ApplicationCreateView.as_view(), name="api-application-create"
    ),
    path(
        "applications/apply",
        applications.ApplicationApplyView.as_view(),
        name="api-application-apply",
    ),
    path(
        "applications/<uuid:public_id>/",
        applications.ApplicationDetailView.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<uuid:public_id>/materials/",
        applications.MaterialAttachView.as_view(),
        name="api-application-materials",
    ),
    path(
        "applications/<uuid:public_id>/materials/<path:key>/",
        applications.MaterialDetachView.as_view(),
        name="api-application-material",
    ),
    path(
        "applications/<uuid:public_id>/submit",
        applications.ApplicationSubmitView.as_view(),
        name="api-application-submit",
    ),
    path("my/materials/", applications.LockerUploadView.as_view(), name="api-my-materials"),
    # applicant: cases and messages
    path("my/cases/", my_cases.MyCaseList.as_view(), name="api-my-cases"),
    path("my/cases/<str:number>/", my_cases.MyCaseDetail.as_view(), name="api-my-case"),
    path(
        "my/cases/<str:number>/correction",
        my_cases.MyCaseCorrection.as_view(),
        name="api-my-case-correction",
    ),
    path(
        "my/cases/<str:number>/withdraw",
        my_cases.MyCaseWithdraw.as_view(),
        name="api-my-case-withdraw",
    ),
    path(
        "my/cases/<str:number>/rating", my_cases.MyCaseRating.as_view(), name="api-my-case-rating"
    ),
    path(
        "my/cases/<str:number>/review-request",
        my_cases.MyCaseReviewRequest.as_view(),
        name="api-my-case-review-request",
    ),
    path("my/notifications/", my_cases.MyNotificationList.as_view(), name="api-my-notifications"),
    # staff
    path("staff/inbox/", staff.StaffInbox.as_view(), name="api-staff-inbox"),
    path("staff/cases/", staff.StaffCaseList.as_view(), name="api-staff-cases"),
    path(
        "staff/cases/<str:number>/",
        staff.StaffCaseDetailView.as_view(),
        name="api-staff-case",
    ),
    *[
        path(
            f"staff/cases/<str:number>/actions/{slug}",
            view.as_view(),
            name=f"api-staff-case-{slug}",
        )
        for slug, view in staff.ACTION_VIEWS.items()
    ],
]
