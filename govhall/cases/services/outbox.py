"""Delivering process records beyond this database (transactional outbox).

Records are written with their ``OutboxMessage`` in the state change's transaction.
``deliver_pending`` (a queued task and ``manage.py deliver_outbox``) posts them in
batches of up to 1,000 to ``GOVHALL_EXCHANGE_URL`` in the exchange format of
docs/exchange.md, the same body ``POST /api/v1/exchange/process-records`` accepts.
A failed batch is retried with backoff; every attempt is counted and its error kept.
With no URL configured the records stay local (monitoring reads them here) and the
outbox rows are marked delivered.
"""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import OutboxMessage

BATCH = 1000
BACKOFF_SECONDS = (30, 120, 600, 3600)


def pending():
    now = timezone.now()
    return OutboxMessage.objects.filter(delivered_at__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def deliver_pending(limit: int = 20 * BATCH) -> int:
    delivered = 0
    while delivered < limit:
        with transaction.atomic():
            batch = list(
                pending()
                .select_related("record")
                .order_by("pk")[:BATCH]
                .select_for_update(skip_locked=True)
                if connection_supports_skip_locked()
                else pending().select_related("record").order_by("pk")[:BATCH]
            )
            if not batch:
                break
            error = _post([m.record.payload for m in batch])
            now = timezone.now()
            for message in batch:
                message.attempts += 1
                if error:
                    message.last_error = error
                    wait = BACKOFF_SECONDS[min(message.attempts, len(BACKOFF_SECONDS)) - 1]
                    message.next_attempt_at = now + datetime.timedelta(seconds=wait)
                else:
                    message.delivered_at, message.last_error = now, ""
            OutboxMessage.objects.bulk_update(
                batch, ["attempts", "last_error", "next_attempt_at", "delivered_at"]
            )
            if error:
                break
            delivered += len(batch)
    return delivered


def connection_supports_skip_locked() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


def _post(payloads: list[dict]) -> str:
    """Send one batch; return an error text, or "" on success."""
    url = settings.GOVHALL_EXCHANGE_URL
    if not url:
        return ""
    body = json.dumps({"records": payloads}, cls=DjangoJSONEncoder, ensure_ascii=False)
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {settings.GOVHALL_EXCHANGE_TOKEN}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status >= 300:
                return f"HTTP {response.status}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return str(exc)[:500]
    return ""
