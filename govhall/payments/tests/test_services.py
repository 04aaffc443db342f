"""Refunds, lost notifications, timeouts, double payment, reconciliation, staff
assessment, the timeline's 缴费 stage and the payment-due reminder."""

import datetime

import pytest
from django.utils import timezone

from govhall.cases.models import CaseState
from govhall.cases.services import timeline
from govhall.core.errors import Refusal
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post

from ..gatewaysim import services as sim
from ..gatewaysim.models import SimOrder
from ..models import AssessmentState, MismatchKind, OrderState, PaymentOrder, RefundState
from ..services import assessment as assessing
from ..services import orders, reconciliation, refunds
from . import helpers as h

pytestmark = pytest.mark.django_db


def paid_case():
    case = h.awaiting_case()
    order = orders.open_order(case.fee_assessment, case.user)
    sim.deliver(h.payer_pays(order.order_number))
    order.refresh_from_db()
    return case, order


def events_of(case):
    return list(
        ProcessRecord.objects.filter(case_number=case.number).values_list("event", flat=True)
    )


def test_partial_then_full_refund_by_staff_of_the_department():
    case, order = paid_case()
    clerk = h.f.staff(Post.CLERK, case.department)
    refunds.request_refund(order, clerk, amount_fen=1000, reason="工本费免收（低保对象）")
    order.refresh_from_db()
    assert (order.state, order.refunded_fen) == (OrderState.PAID, 1000)
    with pytest.raises(Refusal):  # more than is left
        refunds.request_refund(order, clerk, amount_fen=2551, reason="多退")
    refunds.request_refund(order, clerk, amount_fen=2550, reason="申请人撤回领证")
    order.refresh_from_db()
    assert (order.state, order.refunded_fen) == (OrderState.REFUNDED, h.TOTAL_FEN)
    assert all(r.state == RefundState.SUCCEEDED for r in order.refunds.all())
    assert events_of(case).count("refund") == 2
    assert order.assessment.__class__.objects.get(pk=order.assessment_id).refunded_fen == 3550
    outsider = h.f.staff(Post.CLERK, h.f.department("江门市公安局"))
    with pytest.raises(Refusal):
        refunds.request_refund(order, outsider, amount_fen=1, reason="x")


def test_lost_notifications_are_made_good_by_the_query_job(settings):
    settings.GOVHALL_PAYMENT_SIM_NOTIFY = "drop"
    case = h.awaiting_case()
    order = orders.open_order(case.fee_assessment, case.user)
    h.payer_pays(order.order_number)
    assert sim.deliver_due() == {"sent": 0, "dropped": True}
    assert orders.query_pending(older_than=datetime.timedelta(0))["paid"] == 1
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED and events_of(case).count("pay") == 1


def test_an_unpaid_order_times_out_and_a_new_one_can_be_opened():
    case = h.awaiting_case()
    order = orders.open_order(case.fee_assessment, case.user)
    past = timezone.now() - datetime.timedelta(minutes=1)
    PaymentOrder.objects.filter(pk=order.pk).update(expires_at=past)
    SimOrder.objects.filter(out_trade_no=order.order_number).update(expires_at=past)
    orders.query_pending(older_than=datetime.timedelta(0))
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED and "close_payment" in events_of(case)
    fresh = orders.open_order(case.fee_assessment, case.user)
    assert fresh.order_number != order.order_number and fresh.state == OrderState.PENDING


def test_cancel_closes_the_order_at_the_gateway():
    case = h.awaiting_case()
    order = orders.cancel(orders.open_order(case.fee_assessment, case.user))
    assert order.state == OrderState.CLOSED
    assert h.sim_order(order.order_number).status == SimOrder.Status.TRADE_CLOSED


def test_a_second_payment_of_the_same_fee_is_refunded_in_full_at_once():
    case = h.awaiting_case()
    first = orders.open_order(case.fee_assessment, case.user)
    # the first order is superseded (about to expire) but the payer still pays it later
    PaymentOrder.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    second = orders.open_order(case.fee_assessment, case.user)
    sim.deliver(h.payer_pays(second.order_number))
    sim.deliver(h.payer_pays(first.order_number))
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.state == OrderState.PAID and not second.duplicate
    assert first.duplicate and first.state == OrderState.REFUNDED
    assert first.refunded_fen == h.TOTAL_FEN
    case.refresh_from_db()
    assert events_of(case).count("conclude") == 1


def test_reconciliation_matches_and_reports_exactly_an_injected_difference():
    case, order = paid_case()
    clerk = h.f.staff(Post.CLERK, case.department)
    refunds.request_refund(order, clerk, amount_fen=500, reason="部分退费")
    today = timezone.localdate()
    clean = reconciliation.reconcile(today)
    assert (clean.matched, clean.mismatches.count()) == (2, 0)
    SimOrder.objects.filter(out_trade_no=order.order_number).update(amount_fen=3500)
    dirty = reconciliation.reconcile(today)
    (mismatch,) = dirty.mismatches.all()
    assert (mismatch.kind, mismatch.reference) == (MismatchKind.AMOUNT, order.order_number)
    assert (mismatch.gateway_fen, mismatch.platform_fen) == (3500, h.TOTAL_FEN)


def test_staff_assess_a_fee_that_depends_on_the_case_with_the_rule_shown():
    item = h.fee_item(fees=h.VARIABLE_FEES, decision_rules={})
    case = h.f.submitted(item)
    approver = h.f.staff(Post.APPROVER, case.department)
    # as if accepted, handled and approved by staff (the engine's steps are tested in cases)
    now = timezone.now()
    case.state, case.decision, case.accepted_at, case.decided_at = "decided", "approve", now, now
    case.save(update_fields=["state", "decision", "accepted_at", "decided_at"])
    case.steps.update(state="done")
    with pytest.raises(Refusal):
        assessing.assess_by_staff(
            case, approver, lines=[{"name": "测绘费", "unit_fen": 136}], rule=""
        )
    found = assessing.assess_by_staff(
        case,
        approver,
        lines=[{"name": "测绘费", "quantity": 120, "unit_fen": 136}],
        rule="房屋面积120平方米 × 1.36元/平方米",
    )
    case.refresh_from_db()
    assert (found.total_fen, found.by_staff, case.state) == (16320, True, "awaiting_payment")
    stages = timeline.build(case)
    assert [s.name for s in stages.stages][-2:] == ["缴费", "办结"]
    assert stages.current.name == "缴费" and stages.clock_stopped_reason.startswith("待缴费")


def test_payment_due_reminder_is_sent_once_per_deadline():
    from govhall.spaces.models import Reminder, ReminderKind
    from govhall.spaces.services import reminders

    case = h.awaiting_case()
    assessment = case.fee_assessment
    on = assessment.due_date - datetime.timedelta(days=1)
    first = reminders.scan(on)
    again = reminders.scan(on)
    assert first.sent.get(ReminderKind.PAYMENT_DUE) == 1
    assert again.sent.get(ReminderKind.PAYMENT_DUE) is None
    (reminder,) = Reminder.objects.filter(kind=ReminderKind.PAYMENT_DUE)
    assert assessment.payment_code in reminder.body and reminder.due_date == assessment.due_date
    assert assessment.state == AssessmentState.DUE


def test_a_late_payment_of_a_superseded_order_is_found_by_the_query_job(settings):
    settings.GOVHALL_PAYMENT_SIM_NOTIFY = "drop"  # and no notification ever arrives
    case = h.awaiting_case()
    first = orders.open_order(case.fee_assessment, case.user)
    PaymentOrder.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    second = orders.open_order(case.fee_assessment, case.user)
    first.refresh_from_db()
    assert (first.state, second.state) == (OrderState.CLOSED, OrderState.PENDING)
    h.payer_pays(first.order_number)  # the payer still had the first page open
    orders.query_pending(older_than=datetime.timedelta(0))
    first.refresh_from_db()
    case.refresh_from_db()
    assert first.state == OrderState.PAID and not first.duplicate
    assert case.state == CaseState.CONCLUDED
    assert orders.query_pending(older_than=datetime.timedelta(0))["queried"] == 1  # 2nd only
