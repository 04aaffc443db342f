"""Payments API, included under /api/v1/ by govhall/urls.py (docs/api.md, "Payments (§9)")."""

from django.urls import path

from . import views

urlpatterns = [
    path("my/cases/<str:number>/fee", views.MyFee.as_view(), name="api-my-case-fee"),
    path(
        "my/cases/<str:number>/fee/notice.pdf",
        views.MyFeeNotice.as_view(),
        name="api-my-case-fee-notice",
    ),
    path(
        "my/cases/<str:number>/fee/receipt.pdf",
        views.MyFeeReceipt.as_view(),
        name="api-my-case-fee-receipt",
    ),
    path(
        "my/cases/<str:number>/fee/orders",
        views.MyFeeOrders.as_view(),
        name="api-my-case-fee-orders",
    ),
    path("my/payment-orders/<str:order_number>", views.MyOrder.as_view(), name="api-my-order"),
    path(
        "my/payment-orders/<str:order_number>/cancel",
        views.MyOrderCancel.as_view(),
        name="api-my-order-cancel",
    ),
    path(
        "staff/cases/<str:number>/fee/assessment",
        views.StaffAssessment.as_view(),
        name="api-staff-fee-assessment",
    ),
    path(
        "staff/payment-orders/<str:order_number>",
        views.StaffOrder.as_view(),
        name="api-staff-order",
    ),
    path(
        "staff/payment-orders/<str:order_number>/refunds",
        views.StaffRefunds.as_view(),
        name="api-staff-order-refunds",
    ),
    path(
        "payments/reconciliations",
        views.Reconciliations.as_view(),
        name="api-payment-reconciliations",
    ),
    path("payments/notify/<str:provider>", views.Notify.as_view(), name="api-payment-notify"),
]
