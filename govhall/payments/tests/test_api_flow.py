"""The applicant's payment through the API and the bundled gateway, end to end."""

import pytest

from govhall.cases.models import CaseState, SuspensionKind
from govhall.records.models import ProcessRecord
from tests.factories import bearer_header

from ..gatewaysim import services as sim
from ..models import AssessmentState, GatewayNotification, OrderState, PaymentOrder
from . import helpers as h

pytestmark = pytest.mark.django_db


def test_fee_assessed_at_approval_paid_once_through_notifications_and_case_concluded(client):
    identity = h.f.applicant()
    case = h.awaiting_case(identity)
    assert case.state == CaseState.AWAITING_PAYMENT
    assert case.suspensions.filter(kind=SuspensionKind.PAYMENT, ended_on=None).exists()
    headers = bearer_header(identity.user)

    fee = client.get(f"/api/v1/my/cases/{case.number}/fee", **headers).json()
    assessment = fee["assessment"]
    assert assessment["total_fen"] == h.TOTAL_FEN
    assert [line["amount_fen"] for line in assessment["lines"]] == [1000, 2550]
    assert len(assessment["payment_code"]) == 20 and assessment["state"] == "due"

    url = f"/api/v1/my/cases/{case.number}/fee/orders"
    first = client.post(url, {}, content_type="application/json", **headers).json()
    again = client.post(url, {}, content_type="application/json", **headers).json()
    assert first["order_number"] == again["order_number"]  # a second click opens nothing new
    assert first["pay_url"].startswith("/gateway-sim/pay/")
    assert PaymentOrder.objects.count() == 1

    order = h.payer_pays(first["order_number"])
    # paid (seq 2) arrives first, then the stale "waiting" (seq 1), then paid again
    assert sim.deliver(order, seqs=[2, 1, 2]) == [True, True, True]
    outcomes = list(GatewayNotification.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["applied", "stale", "duplicate"]

    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    events = list(
        ProcessRecord.objects.filter(case_number=case.number).values_list("event", flat=True)
    )
    assert events.count("pay") == 1 and events.count("conclude") == 1
    assert events.index("assess_fee") < events.index("open_payment") < events.index("pay")
    status = client.get(f"/api/v1/my/payment-orders/{first['order_number']}", **headers).json()
    assert status["state"] == OrderState.PAID
    assert case.fee_assessment.state == AssessmentState.PAID
    assert not case.suspensions.filter(kind=SuspensionKind.PAYMENT, ended_on=None).exists()
    for name in ("notice", "receipt"):
        pdf = client.get(f"/api/v1/my/cases/{case.number}/fee/{name}.pdf", **headers)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and b"/ByteRange" in pdf.content  # signed


def test_a_forged_notification_is_refused_and_changes_nothing(client):
    case = h.awaiting_case()
    order = PaymentOrder.objects.none()
    identity_headers = bearer_header(case.user)
    made = client.post(
        f"/api/v1/my/cases/{case.number}/fee/orders",
        {},
        content_type="application/json",
        **identity_headers,
    ).json()
    order = h.payer_pays(made["order_number"])
    note = order.notifications.get(seq=2)
    forged = note.body.replace('"amount_fen": 3550', '"amount_fen": 1')
    response = client.post(
        "/api/v1/payments/notify/sim",
        forged,
        content_type="application/json",
        HTTP_X_GATEWAY_SIGNATURE="MEUCIQ" + "A" * 90,
    )
    assert response.status_code == 400
    assert GatewayNotification.objects.get().outcome == "bad_signature"
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_PAYMENT
