"""Payments: paid notifications per second through the notification endpoint.

    python -m bench payments [--count 200] [--database sqlite|URL]

In a scratch database (SQLite in ``var/bench-payments/``, emptied each run, or the
PostgreSQL database of ``--database`` / ``BENCH_DATABASE_URL``), ``--count`` cases of a
秒批 item with two fees are submitted, so each waits in 待缴费; each gets an order at the
bundled gateway and is paid there, which queues the gateway's signed TRADE_SUCCESS
notification. Then, timed, single-threaded, through Django's test client (the full
middleware stack and URL routing, no socket):

* **paid**: each notification POSTed once to ``/api/v1/payments/notify/sim`` — ECDSA
  verification, the snapshot applied under the assessment's row lock, the case's 缴费
  transition (process record, outbox row, audit entry, clocks), the inbox message, and
  the conclusion that follows for a 秒批 case;
* **duplicate**: the same notifications again (verified, found applied, logged);
* baselines in the same run: ECDSA verification alone over the same bodies, and
  unsigned no-op POSTs through the same stack (``/healthz``, answered 405).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from bench.licences import setup_django


def build() -> None:
    from django.core.management import call_command

    from govhall.regions.models import Department
    from govhall.regions.services import loading

    call_command("migrate", verbosity=0)
    if not Department.objects.exists():
        loading.load_regions()
        loading.create_halls()
        loading.load_departments()


def prepare(count: int) -> list[tuple[bytes, str]]:
    """``count`` cases in 待缴费, each with an order paid at the gateway: the bodies and
    signatures of their TRADE_SUCCESS notifications."""
    from govhall.payments.gatewaysim import keys
    from govhall.payments.services import orders
    from govhall.payments.tests import helpers as h

    item = h.fee_item()
    notes = []
    started = time.perf_counter()
    for n in range(count):
        case = h.awaiting_case(item=item)
        order = orders.open_order(case.fee_assessment, case.user)
        paid = h.payer_pays(order.order_number)
        body = paid.notifications.get(seq=paid.seq).body.encode()
        notes.append((body, keys.sign(body)))
        if (n + 1) % 50 == 0:
            print(f"  prepared {n + 1}/{count} ({time.perf_counter() - started:.0f} s)", flush=True)
    return notes


def timed(function, items) -> float:
    started = time.perf_counter()
    for item in items:
        function(item)
    return len(items) / (time.perf_counter() - started)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench payments")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", "sqlite"))
    args = parser.parse_args(argv)
    var_dir = Path(__file__).resolve().parent.parent / "var" / "bench-payments"
    if args.database == "sqlite":
        shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(args.database, str(var_dir))
    from django.db import connection
    from django.test import Client

    from govhall.cases.models import Case, CaseState
    from govhall.payments.gatewaysim import keys
    from govhall.payments.models import GatewayNotification

    build()
    if connection.vendor == "postgresql":
        from govhall.payments.models import FeeAssessment

        if FeeAssessment.objects.exists():
            print("payments: the database already has fees; use an empty one", file=sys.stderr)
            return 2
    print(f"payments: {args.count} cases on {connection.vendor}")
    notes = prepare(args.count)
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host outside the test runner
    public = keys.public_key_pem()
    header = keys.SIGNATURE_HEADER.upper().replace("-", "_")

    def notify(note):
        response = client.post(
            "/api/v1/payments/notify/sim",
            note[0],
            content_type="application/json",
            **{f"HTTP_{header}": note[1]},
        )
        assert response.status_code == 200 and response.content == b"success", response.content

    def verify(note):
        assert keys.verify(note[0], note[1], public)

    def noop(note):
        client.post("/healthz", note[0], content_type="application/json")

    paid = timed(notify, notes)
    concluded = Case.objects.filter(state=CaseState.CONCLUDED).count()
    applied = GatewayNotification.objects.filter(outcome="applied").count()
    assert concluded == applied == args.count, (concluded, applied)
    duplicate = timed(notify, notes)
    verified = timed(verify, notes)
    empty = timed(noop, notes)
    rows = [
        ("paid notifications", paid, f"{args.count} cases paid and concluded"),
        ("duplicate notifications", duplicate, "already applied"),
        ("baseline ECDSA verify", verified, f"ratio paid/verify {paid / verified:.3f}"),
        ("baseline no-op POST", empty, f"ratio paid/no-op {paid / empty:.3f}"),
    ]
    for label, figure, note in rows:
        print(f"  {label:26} {figure:8.1f} /s  ({note})")
    print("  (Django test client, single thread; no socket)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
