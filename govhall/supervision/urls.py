"""Pages of supervision: staff under /workbench/supervision/, public under /supervision/."""

from django.urls import path, re_path

from .views import complaints, disclosure, followups, scores, warnings

app_name = "supervision"

urlpatterns = [
    path("workbench/supervision/", warnings.warning_list, name="warnings"),
    path("workbench/supervision/warnings/<int:pk>/", warnings.warning_page, name="warning"),
    path(
        "workbench/supervision/warnings/<int:pk>/<slug:action>/",
        warnings.warning_action,
        name="warning-action",
    ),
    path("workbench/supervision/complaints/", complaints.complaint_list, name="complaints"),
    path(
        "workbench/supervision/complaints/<str:number>/",
        complaints.complaint_page,
        name="complaint",
    ),
    path(
        "workbench/supervision/complaints/<str:number>/answer/",
        complaints.complaint_answer,
        name="complaint-answer",
    ),
    path(
        "workbench/supervision/complaints/<str:number>/forward/",
        complaints.complaint_forward,
        name="complaint-forward",
    ),
    path("workbench/supervision/follow-ups/", followups.follow_up_list, name="follow-ups"),
    path(
        "workbench/supervision/follow-ups/<int:pk>/",
        followups.follow_up_page,
        name="follow-up",
    ),
    path(
        "workbench/supervision/follow-ups/<int:pk>/<slug:action>/",
        followups.follow_up_action,
        name="follow-up-action",
    ),
    path("workbench/supervision/scores/", scores.scores_page, name="scores"),
    path(
        "workbench/supervision/scores/departments/<str:credit_code>/",
        scores.department_score,
        name="department-score",
    ),
    re_path(
        r"^workbench/supervision/scores/report/(?P<code>\d{6,12})/(?P<period>\d{4}-(?:Q[1-4]|\d{2}))\.pdf$",
        scores.report_pdf,
        name="scores-report",
    ),
    # public
    path("supervision/", disclosure.disclosure_page, name="disclosure"),
    re_path(
        r"^supervision/disclosure\.(?P<fmt>csv|json)$",
        disclosure.disclosure_download,
        name="disclosure-download",
    ),
    path("supervision/complaints/new/", complaints.file_complaint, name="complaint-new"),
    path("supervision/complaints/track/", complaints.track_complaint, name="complaint-track"),
]
