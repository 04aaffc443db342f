"""The case engine's process records leave through the outbox: delivered locally without
a parent, retried when the parent is unreachable, posted with a token when it answers,
and delivered exactly once by a worker killed and restarted (``cases`` → ``records`` →
``exchange``; neither app imports the other).
"""

import datetime
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.conf import settings as django_settings

from govhall.cases.tests import factories as f
from govhall.exchange.models import DeliveryAttempt
from govhall.exchange.services import outbox
from govhall.exchange.tests.receiver import Receiver, outbox_rows
from govhall.exchange.tests.test_outbox_kill import (
    WorkerDatabase,
    start_worker,
    wait_for,
    worker_env,
)
from govhall.records.models import OutboxMessage, ProcessRecord

LEASE_SECONDS = 1


def attempts():
    return list(DeliveryAttempt.objects.order_by("pk"))


@pytest.mark.django_db
def test_without_a_parent_url_records_are_marked_delivered_locally(settings):
    settings.GOVHALL_EXCHANGE_URL = ""
    case = f.submitted(f.item(f.department("江门市民政局")))
    record = ProcessRecord.objects.get(case_number=case.number)
    assert record.payload["record_id"] == str(record.record_id)
    assert record.payload["applicant"]["name"] == case.applicant_name
    assert "id_number" not in str(record.payload)
    assert outbox.deliver_pending() >= 1
    assert OutboxMessage.objects.get(record=record).delivered_at is not None
    assert outbox.deliver_pending() == 0
    assert not DeliveryAttempt.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_parent_is_retried_later_and_the_attempt_logged(settings):
    settings.GOVHALL_EXCHANGE_URL = "http://127.0.0.1:9/unreachable"
    settings.GOVHALL_EXCHANGE_TOKEN_URL = ""
    case = f.submitted(f.item(f.department("江门市民政局")))
    assert outbox.deliver_pending() == 0
    message = OutboxMessage.objects.get(record__case_number=case.number)
    assert message.attempts == 1 and message.last_error and message.delivered_at is None
    (attempt,) = attempts()
    assert attempt.finished_at and attempt.status_code is None
    assert attempt.error == message.last_error
    assert message.next_attempt_at == attempt.finished_at + datetime.timedelta(seconds=30)


@pytest.mark.django_db
def test_real_cases_reach_the_parent_with_a_client_credentials_token(parent):
    case = f.submitted(f.item(f.department("江门市民政局")))
    records = list(ProcessRecord.objects.filter(case_number=case.number).order_by("pk"))
    assert outbox.deliver_pending() == len(records) >= 1
    assert set(parent.stored) == {str(r.record_id) for r in records}
    (batch,) = parent.batches
    assert batch["token"] in parent.tokens and batch["accepted"] == len(records)
    (attempt,) = attempts()
    assert attempt.status_code == 200 and attempt.finished_at >= attempt.started_at
    n = len(records)
    assert (attempt.records, attempt.accepted, attempt.duplicates) == (n, n, 0)
    assert attempt.first_record == records[0].record_id and attempt.url == parent.url
    assert all(m.delivered_at and m.attempts == 1 for m in OutboxMessage.objects.all())

    # the token is cached: the next run posts with it and fetches nothing
    outbox_rows(3)
    assert outbox.deliver_pending() == 3
    assert parent.token_requests == 1 and parent.batches[1]["token"] == batch["token"]


def test_a_worker_killed_mid_delivery_and_restarted_delivers_every_record_exactly_once(
    transactional_reference_data, tmp_path, settings
):
    settings.GOVHALL_EXCHANGE_LEASE_SECONDS = LEASE_SECONDS
    dept = f.department("江门市民政局")
    for _ in range(3):  # real cases through the case services …
        f.submitted(f.item(dept))
    outbox_rows(2500)  # … and bulk rows for volume
    expected = {str(r) for r in ProcessRecord.objects.values_list("record_id", flat=True)}
    assert len(expected) > 2500
    in_order = [
        str(r)
        for r in OutboxMessage.objects.order_by("pk").values_list("record__record_id", flat=True)
    ]
    first_batch = in_order[:1000]
    database = WorkerDatabase(tmp_path)
    database.share()

    with Receiver() as parent:
        env = worker_env(parent, database, tmp_path)
        # the parent stores the first batch, then holds its answer: the worker is killed
        # after the parent committed and before it heard back
        parent.hang_next()
        worker = start_worker(env)
        wait_for(parent.hanging.is_set, 60, [worker])
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        parent.release()
        assert sorted(parent.stored) == sorted(first_batch)

        time.sleep(LEASE_SECONDS + 0.2)  # the killed worker's lease runs out
        again = subprocess.run(
            [sys.executable, "manage.py", "deliver_outbox"],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.returncode == 0, again.stderr[-3000:]
        assert f"已送达{len(expected)}条过程信息" in again.stdout
    database.collect()

    # the parent holds every record, each stored exactly once
    assert set(parent.stored) == expected
    assert set(parent.stored.values()) == {1}
    # the interrupted batch was sent again and answered "duplicate" …
    hung, resent, *rest = parent.batches
    assert hung["record_ids"] == first_batch and hung["accepted"] == 1000
    assert resent["record_ids"] == first_batch and resent.get("duplicate") == 1000
    assert parent.received == Counter({rid: 2 if rid in first_batch else 1 for rid in expected})
    assert [b["records"] for b in rest] == [1000, len(expected) - 2000]
    # … and those duplicates were marked delivered, like everything else
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert not OutboxMessage.objects.filter(rejected_at__isnull=False).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxMessage.objects.exclude(last_error="").exists()

    # the attempt log shows the interrupted attempt, unfinished, then the good ones
    interrupted, *finished = DeliveryAttempt.objects.order_by("pk")
    assert interrupted.finished_at is None and interrupted.status_code is None
    assert interrupted.records == 1000 and str(interrupted.first_record) == first_batch[0]
    assert [a.status_code for a in finished] == [200, 200, 200]
    assert all(a.finished_at for a in finished)
    assert finished[0].duplicates == 1000 and finished[0].accepted == 0
    assert sum(a.accepted for a in finished) == len(expected) - 1000
    status = outbox.outbox_status()
    assert status["interrupted_attempts"] == 1 and status["pending"] == 0
