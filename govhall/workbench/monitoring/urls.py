"""Dashboards under /workbench/monitoring/ (included by ``govhall.workbench.urls``)."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.index, name="monitoring"),
    path("regions/<str:code>/", views.region_view, name="monitoring-region"),
    path("regions/<str:code>/behind/", views.behind, name="monitoring-behind"),
    path("regions/<str:code>/targets/", views.targets_page, name="monitoring-targets"),
    re_path(
        r"^regions/(?P<code>\d{6,12})/report/(?P<period>\d{4}-\d{2})\.pdf$",
        views.report_pdf,
        name="monitoring-report",
    ),
    path("departments/<str:credit_code>/", views.department_view, name="monitoring-department"),
    path("cases/<str:case_number>/", views.case_records, name="monitoring-case"),
]
