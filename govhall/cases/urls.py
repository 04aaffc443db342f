"""Applicant pages of the case engine (namespace ``cases``), included at the site root."""

from django.urls import path

from .views import actions, apply, cases, drafts, inbox, materials, progress, submit

app_name = "cases"

urlpatterns = [
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
