"""The bundled gateway, mounted at /gateway-sim/ by govhall/urls.py."""

from django.urls import path

from . import views

app_name = "gatewaysim"

urlpatterns = [
    path("api/orders", views.create_order, name="create"),
    path("api/orders/<str:out_trade_no>", views.query_order, name="query"),
    path("api/orders/<str:out_trade_no>/close", views.close_order, name="close"),
    path("api/orders/<str:out_trade_no>/refunds", views.refund_order, name="refund"),
    path("api/bills/<str:day>", views.daily_bill, name="bill"),
    path("public-key.pem", views.public_key, name="public-key"),
    path("pay/<str:trade_no>/", views.pay_page, name="pay"),
]
