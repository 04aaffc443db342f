"""Dashboards under /workbench/monitoring/, in the workbench's namespace (the staff shell
includes ``staff_urlpatterns``)."""

from django.urls import include, path, re_path

from .views.staff import dashboards as views

dashboards = [
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

staff_urlpatterns = [path("monitoring/", include(dashboards))]
