from django.urls import include, path

from . import views
from .cases import case, counter, inbox, licences

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # the case desk (办件工作台)
    path("cases/", inbox.inbox, name="cases-inbox"),
    path("cases/all/", inbox.department_cases, name="cases-all"),
    path("cases/bulk-accept/", inbox.bulk_accept, name="cases-bulk-accept"),
    path("cases/<str:number>/", case.case_page, name="case"),
    path("cases/<str:number>/files/<uuid:file_id>/", case.case_file, name="case-file"),
    path(
        "cases/<str:number>/licences/request/",
        licences.request_licence,
        name="case-licence-request",
    ),
    path("cases/<str:number>/<slug:action>/", case.case_action, name="case-action"),
    # the licence desk (电子证照)
    path("licences/", include("govhall.workbench.licences.urls")),
    # the one-door counter (综合窗口)
    path("counter/", counter.counter_home, name="counter"),
    path("counter/items/<str:code>/", counter.counter_intake, name="counter-intake"),
    path("counter/taken/<str:number>/", counter.counter_taken, name="counter-taken"),
    # data monitoring (数据监测)
    path("monitoring/", include("govhall.workbench.monitoring.urls")),
]
