"""Pages of payments (namespace ``payments``), included at the site root."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("my/cases/<str:number>/fee/", views.fee, name="fee"),
    path("my/cases/<str:number>/fee/notice.pdf", views.notice, name="notice"),
    path("my/cases/<str:number>/fee/receipt.pdf", views.receipt, name="receipt"),
    path("my/payments/<str:order_number>/return/", views.payment_return, name="return"),
    path("workbench/payments/cases/<str:number>/", views.staff_case, name="staff-case"),
    path("workbench/payments/reconciliation/", views.reconciliation_page, name="reconciliation"),
]
