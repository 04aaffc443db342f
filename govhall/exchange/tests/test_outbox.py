"""Pushing process records to a parent hall, against a real local receiving endpoint."""

import datetime
import io
import logging
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from govhall.records.models import OutboxMessage

from ..models import DeliveryAlert, DeliveryAttempt
from ..services import outbox
from ..tasks import deliver_outbox
from .receiver import outbox_rows

pytestmark = pytest.mark.django_db


def make_due():
    """What time passing does: every backoff has run out."""
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def attempts():
    return list(DeliveryAttempt.objects.order_by("pk"))


# --- no parent configured ------------------------------------------------------------


# --- delivery and tokens ------------------------------------------------------------------


def test_a_token_is_fetched_again_shortly_before_it_expires(parent):
    parent.token_lifetime = 1  # renewed 0.1 s early
    outbox_rows(1)
    outbox.deliver_pending()
    time.sleep(1)
    outbox_rows(1, prefix="B")
    assert outbox.deliver_pending() == 1
    assert parent.token_requests == 2
    assert parent.batches[0]["token"] != parent.batches[1]["token"]


def test_a_refused_token_is_fetched_again_once_on_401(parent):
    outbox_rows(2)
    outbox.deliver_pending()
    parent.revoke_tokens()
    outbox_rows(2, prefix="B")
    assert outbox.deliver_pending() == 2
    assert parent.token_requests == 2
    assert [a.status_code for a in attempts()] == [200, 401, 200]
    assert attempts()[1].finished_at and "401" in attempts()[1].error
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 0
    # the 401 followed by a success is not a failed attempt of the records
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_wrong_client_credentials_are_logged_and_retried(parent, settings):
    settings.GOVHALL_EXCHANGE_CLIENT_SECRET = "wrong"
    outbox_rows(2)
    assert outbox.deliver_pending() == 0
    (attempt,) = attempts()
    assert attempt.status_code is None and "获取访问令牌失败" in attempt.error
    assert "HTTP 401" in attempt.error and not parent.batches
    message = OutboxMessage.objects.first()
    assert message.attempts == 1 and message.last_error == attempt.error


def test_the_static_token_is_the_fallback(parent, settings):
    settings.GOVHALL_EXCHANGE_TOKEN_URL = ""
    settings.GOVHALL_EXCHANGE_TOKEN = parent.static_token = "static-token-0123"
    outbox_rows(2)
    assert outbox.deliver_pending() == 2
    assert parent.token_requests == 0 and parent.batches[0]["token"] == "static-token-0123"

    settings.GOVHALL_EXCHANGE_TOKEN = "stale-token"
    outbox_rows(1, prefix="B")
    assert outbox.deliver_pending() == 0
    assert [a.status_code for a in attempts()] == [200, 401]  # no refresh without OAuth
    assert "HTTP 401" in OutboxMessage.objects.get(attempts=1, delivered_at=None).last_error


# --- failures and backoff -------------------------------------------------------------


def test_failures_back_off_30s_2min_10min_1h_then_hourly(parent):
    outbox_rows(3)
    parent.fail(500, times=5)
    waits = []
    for _ in range(5):
        assert outbox.deliver_pending() == 0
        attempt = attempts()[-1]
        message = OutboxMessage.objects.order_by("pk").first()
        waits.append((message.next_attempt_at - attempt.finished_at).total_seconds())
        assert message.last_error == attempt.error and attempt.error.startswith("HTTP 500")
        make_due()
    assert waits == [30, 120, 600, 3600, 3600]
    assert outbox.deliver_pending() == 3
    assert [a.status_code for a in attempts()] == [500] * 5 + [200]
    for message in OutboxMessage.objects.all():
        assert message.attempts == 6 and message.delivered_at and message.last_error == ""
        assert message.next_attempt_at is None
    # nothing was stored by the failing calls, everything once by the good one
    assert set(parent.stored.values()) == {1} and len(parent.stored) == 3


def test_a_throttled_batch_waits_at_least_what_retry_after_says(parent):
    outbox_rows(1)
    parent.fail(429, retry_after=900)
    assert outbox.deliver_pending() == 0
    attempt, message = attempts()[-1], OutboxMessage.objects.get()
    assert attempt.status_code == 429
    assert message.next_attempt_at - attempt.finished_at == datetime.timedelta(seconds=900)
    parent.fail(429)  # no Retry-After: the backoff
    make_due()
    assert outbox.deliver_pending() == 0
    message.refresh_from_db()
    assert message.next_attempt_at - attempts()[-1].finished_at == datetime.timedelta(seconds=120)


def test_a_failed_batch_stops_the_run_and_a_waiting_record_is_not_sent(parent):
    outbox_rows(1500)
    parent.fail(503)
    assert outbox.deliver_pending() == 0
    assert len(parent.batches) == 1  # the second batch was not tried against a failing parent
    assert OutboxMessage.objects.filter(attempts=1).count() == 1000
    # the failed batch waits out its backoff; the untried rest goes on the next run
    assert outbox.deliver_pending() == 500
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 1000
    assert [b["records"] for b in parent.batches] == [0, 500]


def test_an_answer_outside_the_contract_is_a_failure(parent):
    outbox_rows(1)
    parent.fail(400)
    assert outbox.deliver_pending() == 0
    assert OutboxMessage.objects.get().last_error.startswith("HTTP 400：")


# --- per-record outcomes --------------------------------------------------------------


def test_a_duplicate_counts_as_delivered(parent):
    (message,) = outbox_rows(1)
    parent.stored[str(message.record.record_id)] = 1  # the parent already has it
    assert outbox.deliver_pending() == 1
    message.refresh_from_db()
    assert message.delivered_at and attempts()[0].duplicates == 1


def test_rejected_records_are_kept_not_retried_and_raise_an_alert(parent, caplog):
    outbox_rows(5, reject=2)
    with caplog.at_level(logging.ERROR, logger="govhall"):
        assert outbox.deliver_pending() == 3
    refused = OutboxMessage.objects.filter(rejected_at__isnull=False)
    assert refused.count() == 2
    assert all(m.record.case_number.startswith("REJECT") for m in refused)
    assert all("办件编号不符合编码规则" in m.last_error for m in refused)
    assert all(m.delivered_at is None and m.next_attempt_at is None for m in refused)
    (alert,) = DeliveryAlert.objects.filter(kind=DeliveryAlert.Kind.REJECTED)
    assert alert.records == 2 and "拒收2条" in alert.message and alert.resolved_at is None
    assert attempts()[0].rejected == 2 and attempts()[0].accepted == 3
    assert any("拒收" in r.getMessage() for r in caplog.records)
    assert len(mail.outbox) == 1 and "ops@example.cn" in mail.outbox[0].to

    make_due()
    assert outbox.deliver_pending() == 0
    assert len(parent.batches) == 1  # rejected records are not sent again
    # a rejected record is not "stuck": no stuck alert, even much later
    assert outbox.check_stuck(now=timezone.now() + datetime.timedelta(days=2)) is None


def test_batches_hold_at_most_1000_records_in_pk_order(parent):
    rows = outbox_rows(2345)
    assert outbox.deliver_pending() == 2345
    assert [b["records"] for b in parent.batches] == [1000, 1000, 345]
    sent = [rid for b in parent.batches for rid in b["record_ids"]]
    assert sent == [str(m.record.record_id) for m in sorted(rows, key=lambda m: m.pk)]
    assert [a.first_record for a in attempts()] == [
        rows[i].record.record_id for i in (0, 1000, 2000)
    ]
    assert outbox.deliver_pending(limit=10) == 0


def test_a_run_stops_at_its_limit_and_when_asked(parent):
    outbox_rows(2500)
    assert outbox.deliver_pending(limit=1200) == 1200
    assert [b["records"] for b in parent.batches] == [1000, 200]
    calls = []
    assert outbox.deliver_pending(should_stop=lambda: calls.append(1) or len(calls) > 1) == 1000
    assert outbox.deliver_pending() == 300


def test_a_row_leased_by_another_worker_is_left_alone(parent):
    first, second = outbox_rows(2)
    OutboxMessage.objects.filter(pk=first.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=300)
    )
    assert outbox.deliver_pending() == 1
    assert list(parent.stored) == [str(second.record.record_id)]


# --- the stuck alert ------------------------------------------------------------------------


def test_a_stuck_record_raises_one_alert_mailed_once_and_resolved_on_delivery(
    parent, settings, caplog
):
    settings.GOVHALL_EXCHANGE_ALERT_HOURS = 12
    outbox_rows(4)
    parent.fail(500)
    outbox.deliver_pending()
    assert not DeliveryAlert.objects.exists()  # young records: no alert yet
    later = timezone.now() + datetime.timedelta(hours=12, minutes=1)
    with caplog.at_level(logging.ERROR, logger="govhall"):
        alert = outbox.check_stuck(now=later)
    assert alert.kind == DeliveryAlert.Kind.STUCK and alert.records == 4
    oldest = OutboxMessage.objects.order_by("created_at").first().created_at
    assert alert.oldest_at == oldest
    assert "4条过程信息超过12小时未送达上级大厅" in alert.message
    assert f"{timezone.localtime(oldest):%Y-%m-%d %H:%M}" in alert.message
    assert [r.name for r in caplog.records if r.levelno == logging.ERROR] == [
        "govhall.exchange.outbox"
    ]
    assert len(mail.outbox) == 1 and "未送达" in mail.outbox[0].subject

    # still stuck: the same alert, kept current, no second mail
    outbox_rows(1, prefix="B")
    assert outbox.check_stuck(now=later + datetime.timedelta(hours=1)).pk == alert.pk
    alert.refresh_from_db()
    assert alert.records == 5 and len(mail.outbox) == 1
    assert DeliveryAlert.objects.filter(resolved_at__isnull=True).count() == 1

    make_due()
    assert outbox.deliver_pending() == 5  # delivery runs check_stuck at its end
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert outbox.check_stuck(now=later) is None


# --- command, task, status --------------------------------------------------------------


def test_the_command_and_the_task_deliver(parent):
    outbox_rows(2)
    out = io.StringIO()
    call_command("deliver_outbox", stdout=out)
    assert "已送达2条过程信息" in out.getvalue()
    outbox_rows(3, prefix="B")
    result = deliver_outbox.enqueue()  # the tests' immediate backend runs it inline
    assert result.return_value == 3
    assert len(parent.stored) == 5


def test_outbox_status_summarises_the_queue(parent):
    outbox_rows(3, reject=1)
    outbox.deliver_pending()
    outbox_rows(2, prefix="B")
    parent.fail(500)
    outbox.deliver_pending()
    status = outbox.outbox_status()
    waiting = OutboxMessage.objects.filter(delivered_at=None, rejected_at=None)
    assert status["configured"] is True
    assert (status["pending"], status["retrying"], status["rejected"]) == (2, 2, 1)
    assert status["oldest_pending_at"] == min(m.created_at for m in waiting)
    assert [a.status_code for a in status["last_attempts"]] == [500, 200]
    assert [a.kind for a in status["open_alerts"]] == [DeliveryAlert.Kind.REJECTED]
    assert status["interrupted_attempts"] == 0
