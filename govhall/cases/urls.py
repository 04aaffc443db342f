"""Pages of the case engine: the applicant's (namespace ``cases``, at the site root) and
the staff case desk and counter (``staff_urlpatterns``, under /workbench/ in the
workbench's namespace — their names, e.g. ``workbench:case``, predate the move)."""

from django.urls import path

from .views import actions, apply, cases, drafts, inbox, materials, progress, submit
from .views.staff import alerts, case, counter
from .views.staff import inbox as staff_inbox

app_name = "cases"

public_urlpatterns = [
    path("items/<str:code>/apply/", apply.item_apply, name="item-apply"),
    path("bundles/<slug:code>/apply/", apply.bundle_apply, name="bundle-apply"),
    path("applications/<uuid:public_id>/", drafts.application_form, name="application"),
    path("applications/<uuid:public_id>/materials/", materials.materials, name="materials"),
    path("applications/<uuid:public_id>/check/", submit.check, name="check"),
    path("applications/<uuid:public_id>/done/", submit.done, name="done"),
    path("applications/<uuid:public_id>/discard/", drafts.discard, name="discard"),
    path("my/applications/", drafts.my_applications, name="my-applications"),
    path("my/cases/", cases.my_cases, name="my-cases"),
    path("my/cases/<str:number>/", cases.case_detail, name="detail"),
    path("my/cases/<str:number>/correction/", actions.correction, name="correction"),
    path("my/cases/<str:number>/withdraw/", actions.withdraw, name="withdraw"),
    path("my/cases/<str:number>/review/", actions.review, name="review"),
    path("my/cases/<str:number>/rate/", actions.rate, name="rate"),
    path("my/bundles/<str:number>/", cases.bundle_detail, name="bundle-detail"),
    path("my/messages/", inbox.message_list, name="messages"),
    path("my/messages/read/", inbox.message_read, name="message-read"),
    path("my/materials/", inbox.locker, name="locker"),
    path("my/materials/<uuid:public_id>/", inbox.locker_file, name="locker-file"),
    path("progress/", progress.progress, name="progress"),
]

urlpatterns = public_urlpatterns

staff_urlpatterns = [
    # the case desk (办件工作台)
    path("cases/", staff_inbox.inbox, name="cases-inbox"),
    path("cases/all/", staff_inbox.department_cases, name="cases-all"),
    path("cases/bulk-accept/", staff_inbox.bulk_accept, name="cases-bulk-accept"),
    path("tasks/badge/", alerts.task_badge, name="task-badge"),
    path("cases/<str:number>/", case.case_page, name="case"),
    path("cases/<str:number>/files/<uuid:file_id>/", case.case_file, name="case-file"),
    path("cases/<str:number>/<slug:action>/", case.case_action, name="case-action"),
    # the one-door counter (综合窗口)
    path("counter/", counter.counter_home, name="counter"),
    path("counter/items/<str:code>/", counter.counter_intake, name="counter-intake"),
    path("counter/taken/<str:number>/", counter.counter_taken, name="counter-taken"),
]
