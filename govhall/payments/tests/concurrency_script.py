"""Run by test_concurrency: the applicant clicking 去缴费 on several devices at once, then
the gateway's paid notification arriving on several connections at once.

A module so that the SQLite variant can run it in a child process against a file
database set up as in production (WAL, IMMEDIATE), where writers queue.
"""

from __future__ import annotations

from govhall.cases.tests.writers import at_once

THREADS = 4


def run() -> dict:
    from govhall.cases.models import Case
    from govhall.records.models import ProcessRecord

    from ..gatewaysim import keys
    from ..models import GatewayNotification, PaymentOrder
    from ..services import orders
    from . import helpers as h

    case = h.awaiting_case()
    assessment = case.fee_assessment
    opened: list[str] = []
    click_failures = at_once(
        lambda n: opened.append(orders.open_order(assessment, case.user).order_number), THREADS
    )
    (order_number,) = set(opened) or {""}
    sim_order = h.payer_pays(order_number)
    body = sim_order.notifications.get(seq=sim_order.seq).body.encode()
    headers = {keys.SIGNATURE_HEADER: keys.sign(body)}
    outcomes: list[str] = []
    notify_failures = at_once(
        lambda n: outcomes.append(orders.handle_notification("sim", body, headers)), THREADS
    )
    events = list(
        ProcessRecord.objects.filter(case_number=case.number).values_list("event", flat=True)
    )
    return {
        "failures": click_failures + notify_failures,
        "orders": PaymentOrder.objects.filter(assessment=assessment).count(),
        "opened": sorted(set(opened)),
        "outcomes": sorted(outcomes),
        "logged": GatewayNotification.objects.count(),
        "pay_records": events.count("pay"),
        "conclude_records": events.count("conclude"),
        "state": Case.objects.get(pk=case.pk).state,
    }
