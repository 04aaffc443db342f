"""Pushing the hall's own process records to a parent hall (the outbound exchange).

Records are written with their ``OutboxMessage`` in the state change's transaction
(``govhall.records.services.stream``, called by the case engine). ``deliver_pending`` —
``manage.py deliver_outbox`` or the queued task ``govhall.exchange.tasks.deliver_outbox``
— posts them in pk order, in batches of up to 1,000, as ``{"records": [...]}`` to
``GOVHALL_EXCHANGE_URL`` (the parent's ``POST /api/v1/exchange/process-records``,
docs/exchange.md).

Delivery is at-least-once; the parent's idempotency on ``record_id`` makes it
exactly-once:

* a batch is *claimed* in a short transaction (``next_attempt_at`` = now + lease, with
  ``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it), so two workers never
  send the same batch at the same time; no transaction or row lock is held during the
  HTTP call;
* each HTTP attempt is one ``DeliveryAttempt`` row, committed before the post (started)
  and finished after it, so a killed worker leaves a visible unfinished attempt;
* the outcome is written only after the answer: accepted or duplicate → delivered;
  rejected → ``rejected_at`` with the field errors, never retried, and an alert;
  transport error, 5xx, 429 … → retried with backoff (30 s, 2 min, 10 min, 1 h, then
  hourly). A worker killed before that leaves the batch undelivered; once its lease
  expires the next run sends it again and takes the parent's ``duplicate`` as delivered.

``check_stuck`` (run at the end of every delivery run) raises one open alert while any
record has waited longer than ``GOVHALL_EXCHANGE_ALERT_HOURS``, and resolves it when none
has. With no ``GOVHALL_EXCHANGE_URL`` the records stay local (monitoring reads them here)
and their outbox rows are marked delivered.
"""

from __future__ import annotations

import base64
import datetime
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Min, Q, Value
from django.db.models.functions import Least
from django.utils import timezone

from govhall.records.models import OutboxMessage

from ..models import DeliveryAlert, DeliveryAttempt

logger = logging.getLogger("govhall.exchange.outbox")

BATCH = 1000
BACKOFF_SECONDS = (30, 120, 600, 3600)  # then hourly
TIMEOUT_SECONDS = 60  # one HTTP call (token or batch)
MAX_ATTEMPTS_COUNTED = 32767  # OutboxMessage.attempts is a small integer

__all__ = [
    "BACKOFF_SECONDS",
    "BATCH",
    "check_stuck",
    "deliver_pending",
    "outbox_status",
    "pending",
]


# --- what is due ----------------------------------------------------------------------


def undelivered():
    """Records neither delivered nor refused by the parent."""
    return OutboxMessage.objects.filter(delivered_at__isnull=True, rejected_at__isnull=True)


def pending(now: datetime.datetime | None = None):
    """Undelivered records due now (not waiting out a backoff or another worker's lease)."""
    now = now or timezone.now()
    return undelivered().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def backoff(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    return BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1]


def lease_seconds() -> int:
    return int(settings.GOVHALL_EXCHANGE_LEASE_SECONDS)


def _claim(size: int) -> list[int]:
    """Reserve up to ``size`` due rows for this worker (a lease, committed at once)."""
    with transaction.atomic():
        now = timezone.now()
        rows = pending(now).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:size])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                next_attempt_at=now + datetime.timedelta(seconds=lease_seconds())
            )
    return ids


# --- delivery -------------------------------------------------------------------------


def deliver_pending(
    limit: int = 20 * BATCH, *, should_stop: Callable[[], bool] | None = None
) -> int:
    """Deliver up to ``limit`` due records; return how many the parent now holds
    (accepted or duplicate; or, with no URL configured, how many were marked locally).

    Stops early on a batch that failed as a whole (the parent is down or throttling:
    the next run retries after the backoff) or when ``should_stop()`` turns true
    between batches. Ends with ``check_stuck()``.
    """
    url = settings.GOVHALL_EXCHANGE_URL
    delivered = 0
    if not url:
        delivered = _mark_local(limit)
    else:
        processed = 0
        while processed < limit and not (should_stop and should_stop()):
            ids = _claim(min(BATCH, limit - processed))
            if not ids:
                break
            processed += len(ids)
            messages = list(
                OutboxMessage.objects.filter(pk__in=ids).select_related("record").order_by("pk")
            )
            if not messages:  # deleted since the claim
                continue
            outcome = _send(url, messages)
            delivered += outcome.delivered
            if outcome.failed_batch:
                break
    check_stuck()
    return delivered


def _mark_local(limit: int) -> int:
    now = timezone.now()
    ids = list(pending(now).order_by("pk").values_list("pk", flat=True)[:limit])
    marked = 0
    for start in range(0, len(ids), BATCH):
        marked += OutboxMessage.objects.filter(
            pk__in=ids[start : start + BATCH], delivered_at__isnull=True
        ).update(delivered_at=now, next_attempt_at=None, last_error="")
    return marked


@dataclass
class _Response:
    status: int | None = None  # None: no HTTP answer (transport error, no token)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str = ""


@dataclass
class _Outcome:
    delivered: int = 0
    failed_batch: bool = False


def _send(url: str, messages: list[OutboxMessage]) -> _Outcome:
    body = json.dumps(
        {"records": [m.record.payload for m in messages]},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    ).encode()
    refreshed = False
    while True:
        attempt = DeliveryAttempt.objects.create(
            started_at=timezone.now(),
            url=url[:300],
            records=len(messages),
            first_record=messages[0].record.record_id,
        )
        try:
            token = _access_token()
        except TokenError as exc:
            response = _Response(error=str(exc))
        else:
            response = _post(url, body, token)
        if response.status == 401 and _uses_oauth() and not refreshed:
            # The cached token was revoked or expired early: fetch a new one, once.
            refreshed = True
            _forget_token()
            _finish(attempt, response.status, _error_text(response))
            continue
        return _record_outcome(attempt, messages, response)


def _record_outcome(
    attempt: DeliveryAttempt, messages: list[OutboxMessage], response: _Response
) -> _Outcome:
    results = _results(response, messages) if response.status == 200 else None
    if results is None:
        error = _error_text(response)
        _fail(attempt, messages, response, error)
        logger.warning("过程信息报送失败（%s条）：%s", len(messages), error)
        return _Outcome(failed_batch=True)

    now = timezone.now()
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    delivered, rejected, unanswered = [], [], []
    for message, result in zip(messages, results, strict=True):
        status = result.get("status") if result else None
        message.attempts = min(message.attempts + 1, MAX_ATTEMPTS_COUNTED)
        if status in ("accepted", "duplicate"):
            counts[status] += 1
            message.delivered_at, message.next_attempt_at, message.last_error = now, None, ""
            delivered.append(message)
        elif status == "rejected":
            counts["rejected"] += 1
            message.rejected_at, message.next_attempt_at = now, None
            message.last_error = "上级大厅拒收：" + json.dumps(
                result.get("errors") or {}, ensure_ascii=False
            )
            rejected.append(message)
        else:
            message.last_error = "上级大厅未返回该记录的处理结果"
            message.next_attempt_at = now + datetime.timedelta(seconds=backoff(message.attempts))
            unanswered.append(message)
    alert = None
    with transaction.atomic():
        OutboxMessage.objects.filter(pk__in=[m.pk for m in delivered]).update(
            delivered_at=now, next_attempt_at=None, last_error="", attempts=_counted()
        )
        if rejected:  # few, each with its own errors
            OutboxMessage.objects.bulk_update(
                rejected, ["attempts", "rejected_at", "next_attempt_at", "last_error"]
            )
        _save_retries(unanswered)
        attempt.finished_at = now
        attempt.status_code = response.status
        attempt.accepted = counts["accepted"]
        attempt.duplicates = counts["duplicate"]
        attempt.rejected = counts["rejected"]
        attempt.error = f"{len(unanswered)}条记录无处理结果" if unanswered else ""
        attempt.save(
            update_fields=[
                "finished_at",
                "status_code",
                "accepted",
                "duplicates",
                "rejected",
                "error",
            ]
        )
        if rejected:
            alert = _rejected_alert(rejected)
    if alert is not None:
        logger.error(alert.message)
        mail_admins("过程信息被上级大厅拒收", alert.message, fail_silently=True)
    return _Outcome(delivered=len(delivered))


def _results(response: _Response, messages: list[OutboxMessage]) -> list[dict | None] | None:
    """Per message the parent's result (matched by index and record id), or None when
    the answer is not the contract's (then the whole batch counts as failed)."""
    try:
        data = json.loads(response.body)
        results = data["results"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(results, list):
        return None
    by_index: dict[int, dict] = {}
    for result in results:
        if isinstance(result, dict) and isinstance(result.get("index"), int):
            by_index[result["index"]] = result
    matched: list[dict | None] = []
    for index, message in enumerate(messages):
        result = by_index.get(index)
        if result is not None and str(result.get("record_id")) != str(message.record.record_id):
            result = None
        matched.append(result)
    return matched


def _fail(
    attempt: DeliveryAttempt, messages: list[OutboxMessage], response: _Response, error: str
) -> None:
    now = timezone.now()
    retry_after = _retry_after(response)
    for message in messages:
        message.attempts = min(message.attempts + 1, MAX_ATTEMPTS_COUNTED)
        wait = max(backoff(message.attempts), retry_after)
        message.next_attempt_at = now + datetime.timedelta(seconds=wait)
        message.last_error = error
    with transaction.atomic():
        _save_retries(messages)
        _finish(attempt, response.status, error, now)


def _counted():
    return Least(F("attempts") + 1, Value(MAX_ATTEMPTS_COUNTED))


def _save_retries(messages: list[OutboxMessage]) -> None:
    """Write attempts, next attempt and error: one UPDATE per distinct value (a batch
    usually shares them; ``bulk_update`` of 1,000 rows is far slower)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for m in messages:
        groups[(m.attempts, m.next_attempt_at, m.last_error)].append(m.pk)
    for (attempts, next_attempt_at, last_error), ids in groups.items():
        # a row another worker delivered after our lease ran out stays delivered
        OutboxMessage.objects.filter(pk__in=ids, delivered_at__isnull=True).update(
            attempts=attempts, next_attempt_at=next_attempt_at, last_error=last_error
        )


def _finish(
    attempt: DeliveryAttempt,
    status: int | None,
    error: str,
    now: datetime.datetime | None = None,
) -> None:
    attempt.finished_at = now or timezone.now()
    attempt.status_code = status
    attempt.error = error
    attempt.save(update_fields=["finished_at", "status_code", "error"])


def _retry_after(response: _Response) -> int:
    value = response.headers.get("retry-after", "")
    return min(int(value), 24 * 3600) if value.isdigit() else 0


def _error_text(response: _Response) -> str:
    if response.status is None:
        return response.error[:500] or "无应答"
    if response.status == 200:
        return "上级大厅的应答无法解析"
    detail = response.body[:300].decode("utf-8", "replace").strip()
    return f"HTTP {response.status}" + (f"：{detail}" if detail else "")


def _rejected_alert(rejected: list[OutboxMessage]) -> DeliveryAlert:
    first = rejected[0]
    oldest = min(m.record.occurred_at for m in rejected)
    message = (
        f"上级大厅拒收{len(rejected)}条过程信息，不再重发，请核对后更正。"
        f"首条：办件{first.record.case_number}，记录{first.record.record_id}，{first.last_error}"
    )
    return DeliveryAlert.objects.create(
        kind=DeliveryAlert.Kind.REJECTED,
        message=message[:500],
        records=len(rejected),
        oldest_at=oldest,
    )


# --- HTTP -------------------------------------------------------------------------------


def _http(url: str, data: bytes, headers: dict[str, str]) -> _Response:
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
            return _Response(answer.status, answer.read(), _lower(answer.headers))
    except urllib.error.HTTPError as exc:
        with exc:
            try:
                body = exc.read()
            except (OSError, http.client.HTTPException):
                body = b""
            return _Response(exc.code, body, _lower(exc.headers or {}))
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        return _Response(error=f"{type(exc).__name__}: {exc}"[:500])


def _lower(headers) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _post(url: str, body: bytes, token: str) -> _Response:
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return _http(url, body, headers)


# --- the access token (OAuth2 client credentials, or a static token) ---------------------


class TokenError(Exception):
    pass


_token_lock = threading.Lock()
_tokens: dict[tuple[str, str], tuple[str, float]] = {}


def _uses_oauth() -> bool:
    return bool(settings.GOVHALL_EXCHANGE_TOKEN_URL)


def _token_key() -> tuple[str, str]:
    return (settings.GOVHALL_EXCHANGE_TOKEN_URL, settings.GOVHALL_EXCHANGE_CLIENT_ID)


def _forget_token() -> None:
    with _token_lock:
        _tokens.pop(_token_key(), None)


def _access_token() -> str:
    """The bearer token for the parent: from the token endpoint (client credentials),
    cached until shortly before it expires; else the static ``GOVHALL_EXCHANGE_TOKEN``."""
    if not _uses_oauth():
        return settings.GOVHALL_EXCHANGE_TOKEN
    key = _token_key()
    with _token_lock:
        cached = _tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        token, lifetime = _fetch_token()
        # renew a tenth of the lifetime (at most a minute) before the parent expires it
        _tokens[key] = (token, time.monotonic() + lifetime - min(60.0, lifetime / 10))
        return token


def _fetch_token() -> tuple[str, float]:
    client_id = settings.GOVHALL_EXCHANGE_CLIENT_ID
    secret = settings.GOVHALL_EXCHANGE_CLIENT_SECRET
    form = {"grant_type": "client_credentials"}
    scope = settings.GOVHALL_EXCHANGE_SCOPE
    if scope:
        form["scope"] = scope
    # RFC 6749 §2.3.1: form-encode the credentials, then HTTP Basic.
    pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    response = _http(
        settings.GOVHALL_EXCHANGE_TOKEN_URL,
        urllib.parse.urlencode(form).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "Authorization": "Basic " + base64.b64encode(pair.encode()).decode(),
        },
    )
    if response.status != 200:
        raise TokenError(f"获取访问令牌失败：{_error_text(response)}")
    try:
        data = json.loads(response.body)
        token = str(data["access_token"])
        lifetime = float(data.get("expires_in") or 3600)
    except (ValueError, TypeError, KeyError) as exc:
        raise TokenError("获取访问令牌失败：令牌应答无法解析") from exc
    return token, max(lifetime, 1.0)


# --- alerts and status ------------------------------------------------------------------


def alert_hours() -> float:
    return float(settings.GOVHALL_EXCHANGE_ALERT_HOURS)


def check_stuck(now: datetime.datetime | None = None) -> DeliveryAlert | None:
    """Raise (or keep up to date) one open ``stuck`` alert while any undelivered,
    unrejected record is older than ``GOVHALL_EXCHANGE_ALERT_HOURS``; resolve it when
    none is. Returns the open alert, or None. A newly raised alert is logged as an error
    and mailed to ADMINS."""
    now = now or timezone.now()
    hours = alert_hours()
    late = undelivered().filter(created_at__lte=now - datetime.timedelta(hours=hours))
    summary = late.aggregate(oldest=Min("created_at"))
    open_alerts = DeliveryAlert.objects.filter(
        kind=DeliveryAlert.Kind.STUCK, resolved_at__isnull=True
    )
    if summary["oldest"] is None:
        open_alerts.update(resolved_at=now)
        return None
    count = late.count()
    oldest = summary["oldest"]
    message = (
        f"{count}条过程信息超过{hours:g}小时未送达上级大厅，"
        f"最早一条写入于{timezone.localtime(oldest):%Y-%m-%d %H:%M}。"
    )
    with transaction.atomic():
        alert = open_alerts.select_for_update().order_by("pk").first()
        if alert is not None:
            alert.message, alert.records, alert.oldest_at = message, count, oldest
            alert.save(update_fields=["message", "records", "oldest_at"])
            return alert
        alert = DeliveryAlert.objects.create(
            kind=DeliveryAlert.Kind.STUCK, message=message, records=count, oldest_at=oldest
        )
    logger.error(message)
    mail_admins("过程信息长时间未送达上级大厅", message, fail_silently=True)
    return alert


def outbox_status(recent: int = 10) -> dict[str, Any]:
    """What a staff page shows about the outbound exchange.

    Keys: ``configured`` (a parent URL is set), ``pending`` (undelivered, unrejected),
    ``retrying`` (of those, how many failed at least once), ``rejected``,
    ``oldest_pending_at`` (datetime or None), ``last_attempts`` (the latest
    ``DeliveryAttempt`` rows), ``interrupted_attempts`` (attempts never finished whose
    lease has run out: a worker died mid-delivery), ``open_alerts`` (unresolved
    ``DeliveryAlert`` rows, newest first).
    """
    waiting = undelivered()
    stale = timezone.now() - datetime.timedelta(seconds=lease_seconds())
    return {
        "configured": bool(settings.GOVHALL_EXCHANGE_URL),
        "pending": waiting.count(),
        "retrying": waiting.filter(attempts__gt=0).count(),
        "rejected": OutboxMessage.objects.filter(rejected_at__isnull=False).count(),
        "oldest_pending_at": waiting.aggregate(oldest=Min("created_at"))["oldest"],
        "last_attempts": list(DeliveryAttempt.objects.order_by("-started_at", "-pk")[:recent]),
        "interrupted_attempts": DeliveryAttempt.objects.filter(
            finished_at__isnull=True, started_at__lt=stale
        ).count(),
        "open_alerts": list(DeliveryAlert.objects.filter(resolved_at__isnull=True)),
    }


def resolve_alert(alert: DeliveryAlert, *, note: str = "") -> DeliveryAlert:
    """A hall administrator has dealt with an alert (e.g. corrected and re-sent a
    rejected record through the parent's own channel): close it, audited."""
    from govhall.core.services import audit

    with transaction.atomic():
        alert = DeliveryAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.resolved_at is None:
            before = audit.snapshot(alert)
            alert.resolved_at = timezone.now()
            alert.save(update_fields=["resolved_at"])
            audit.record(
                audit.AuditEntry.Action.UPDATE,
                instance=alert,
                before=before,
                after=audit.snapshot(alert),
                reason=note or "报送告警已处理",
            )
    return alert
