"""What the audit of issue 19 found untested: every kind of reconciliation difference
reported at once, one audit entry per payment process record, and the integer-fen and
缴款码 rules."""

import datetime

import pytest
from django.utils import timezone

from govhall.core.errors import Refusal
from govhall.core.models import AuditEntry
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post

from ..gatewaysim import services as sim
from ..gatewaysim.models import SimOrder
from ..models import MismatchKind, OrderState
from ..services import money, orders, reconciliation, refunds
from . import helpers as h

pytestmark = pytest.mark.django_db

PAYMENT_EVENTS = {"assess_fee", "open_payment", "pay", "close_payment", "refund"}


def paid(item):
    case = h.awaiting_case(item=item)
    order = orders.open_order(case.fee_assessment, case.user)
    sim.deliver(h.payer_pays(order.order_number))
    order.refresh_from_db()
    assert order.state == OrderState.PAID
    return case, order


def test_reconciliation_reports_every_difference_each_once(settings):
    item = h.fee_item()
    _, amount_differs = paid(item)
    _, missing_at_gateway = paid(item)
    _, matched = paid(item)
    # 长款: the payer paid at the gateway, the platform never heard of it (no
    # notification, no query yet), so its order is still pending here.
    settings.GOVHALL_PAYMENT_SIM_NOTIFY = "drop"
    unknown_case = h.awaiting_case(item=item)
    unknown = orders.open_order(unknown_case.fee_assessment, unknown_case.user)
    h.payer_pays(unknown.order_number)
    unknown.refresh_from_db()
    assert unknown.state == OrderState.PENDING

    SimOrder.objects.filter(out_trade_no=amount_differs.order_number).update(amount_fen=3000)
    # 短款: the gateway's bill does not have a payment the platform recorded that day.
    SimOrder.objects.filter(out_trade_no=missing_at_gateway.order_number).update(
        paid_at=timezone.now() - datetime.timedelta(days=2)
    )
    run = reconciliation.reconcile(timezone.localdate())
    found = sorted(
        (m.kind, m.reference, m.gateway_fen, m.platform_fen) for m in run.mismatches.all()
    )
    assert found == sorted(
        [
            (MismatchKind.AMOUNT, amount_differs.order_number, 3000, h.TOTAL_FEN),
            (MismatchKind.MISSING_AT_GATEWAY, missing_at_gateway.order_number, None, h.TOTAL_FEN),
            (MismatchKind.MISSING_ON_PLATFORM, unknown.order_number, h.TOTAL_FEN, None),
        ]
    )
    assert (run.gateway_lines, run.platform_lines, run.matched) == (3, 3, 1)
    assert matched.order_number not in {m.reference for m in run.mismatches.all()}
    assert AuditEntry.objects.filter(reason="支付对账", object_id=str(run.pk)).count() == 1


def test_every_payment_process_record_has_one_audit_entry(settings):
    case, order = paid(h.fee_item())
    clerk = h.f.staff(Post.CLERK, case.department)
    refunds.request_refund(order, clerk, amount_fen=1000, reason="工本费免收（低保对象）")
    other = h.awaiting_case()
    orders.cancel(orders.open_order(other.fee_assessment, other.user))

    rows = ProcessRecord.objects.filter(
        case_number__in=[case.number, other.number], event__in=PAYMENT_EVENTS
    )
    seen = {(r.case_number, r.event) for r in rows}
    assert {(case.number, e) for e in ("assess_fee", "open_payment", "pay", "refund")} <= seen
    assert {(other.number, e) for e in ("assess_fee", "open_payment", "close_payment")} <= seen
    by_record: dict[str, int] = {}
    for after in AuditEntry.objects.exclude(after=None).values_list("after", flat=True):
        if isinstance(after, dict) and after.get("record_id"):
            by_record[after["record_id"]] = by_record.get(after["record_id"], 0) + 1
    for row in rows:
        assert by_record.get(str(row.record_id)) == 1, (row.event, row.record_id)


def test_amounts_are_whole_fen_and_the_payment_code_carries_a_check_digit():
    assert money.fen_of_yuan("25.50") == 2550 and money.fen_of_yuan(10) == 1000
    for bad in ("0.001", "-1", "十元"):
        with pytest.raises(Refusal):
            money.fen_of_yuan(bad)
    assert money.yuan(3550) == "35.50" and money.yuan(5) == "0.05"

    case = h.awaiting_case()
    code = case.fee_assessment.payment_code
    assert money.code_is_valid(code) and code[:6] == case.region_id[:6]
    assert code[6:8] == f"{timezone.localdate():%y}"
    mistyped = code[:10] + str((int(code[10]) + 1) % 10) + code[11:]
    assert not money.code_is_valid(mistyped)  # one wrong digit is caught
