"""A local parent hall for the outbox tests: a threaded HTTP server on 127.0.0.1 that
implements the exchange contract (docs/exchange.md).

* ``POST /oauth/token/`` — client credentials (HTTP Basic or form fields) → a bearer
  token with ``expires_in``; wrong credentials → 401 ``invalid_client``.
* ``POST /api/v1/exchange/process-records`` — ``{"records": [...]}`` (≤ 1,000) with a
  valid bearer token → 200 with per-record ``accepted`` / ``duplicate`` / ``rejected``.
  Each ``record_id`` is stored once; a record whose ``case_number`` starts with
  ``REJECT_MARKER`` is rejected with field errors. 401 without a valid token, 400 for a
  malformed batch.

Test controls: ``fail(status, times, retry_after=None)`` answers the next batches with
that status; ``hang_next()`` stores the next batch, then holds the answer until
``release()`` (``hanging`` is set while it waits); ``delay`` holds every answer that
many seconds; ``revoke_tokens()``.
Observations: ``stored`` (record_id → times stored, always 1), ``received``
(record_id → times posted), ``batches`` (one dict per request to the records endpoint),
``token_requests``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from govhall.records.models import OutboxMessage, ProcessRecord

RECORDS_PATH = "/api/v1/exchange/process-records"
TOKEN_PATH = "/oauth/token/"
REJECT_MARKER = "REJECT"
CLIENT_ID = "branch-jiangmen"
CLIENT_SECRET = "s3cret-for-tests"


class Receiver:
    def __init__(
        self,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        static_token: str = "",
        token_lifetime: int = 3600,
    ):
        self.client_id, self.client_secret = client_id, client_secret
        self.static_token = static_token
        self.token_lifetime = token_lifetime
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.stored: Counter[str] = Counter()
        self.received: Counter[str] = Counter()
        self.batches: list[dict] = []
        self._failures: list[tuple[int, str | None]] = []
        self._hang = False
        self.delay = 0.0  # seconds every batch answer is held back (after storing)
        self.hanging = threading.Event()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == TOKEN_PATH:
                    status, payload, headers = receiver._token(self.headers, body)
                elif self.path == RECORDS_PATH:
                    status, payload, headers = receiver._records(self.headers, body)
                else:
                    status, payload, headers = 404, {"detail": "not found"}, {}
                data = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the sender was killed while we held the answer
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.base_url + RECORDS_PATH
        self.token_url = self.base_url + TOKEN_PATH
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- controls ------------------------------------------------------------------------

    def fail(self, status: int, times: int = 1, retry_after: int | None = None) -> None:
        with self.lock:
            self._failures += [(status, str(retry_after) if retry_after else None)] * times

    def hang_next(self) -> None:
        self._hang, self._release = True, threading.Event()
        self.hanging.clear()

    def release(self) -> None:
        self._release.set()

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    # --- the endpoints -------------------------------------------------------------------

    def _token(self, headers, body: bytes):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            pair = base64.b64decode(auth[6:]).decode()
            client_id, _, secret = pair.partition(":")
            client_id = urllib.parse.unquote_plus(client_id)
            secret = urllib.parse.unquote_plus(secret)
        with self.lock:
            self.token_requests += 1
            if form.get("grant_type") != "client_credentials":
                return 400, {"error": "unsupported_grant_type"}, {}
            if (client_id, secret) != (self.client_id, self.client_secret):
                return 401, {"error": "invalid_client"}, {}
            token = secrets.token_urlsafe(24)
            self.tokens.add(token)
        return (
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "scope": form.get("scope", "exchange"),
            },
            {"Cache-Control": "no-store"},
        )

    def _records(self, headers, body: bytes):
        auth = headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self.lock:
            entry = {"token": token, "status": None, "records": 0, "record_ids": []}
            self.batches.append(entry)
            valid = token and (token in self.tokens or token == self.static_token)
            if not valid:
                entry["status"] = 401
                return 401, {"detail": "身份认证信息无效。"}, {"WWW-Authenticate": "Bearer"}
            if self._failures:
                status, retry_after = self._failures.pop(0)
                entry["status"] = status
                extra = {"Retry-After": retry_after} if retry_after else {}
                return status, {"detail": f"故障（{status}）"}, extra
            try:
                records = json.loads(body)["records"]
                if not isinstance(records, list) or not 1 <= len(records) <= 1000:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                entry["status"] = 400
                return 400, {"detail": "批次格式错误"}, {}
            results, counts = [], Counter()
            for index, record in enumerate(records):
                record_id = str(record.get("record_id", ""))
                entry["record_ids"].append(record_id)
                self.received[record_id] += 1
                if str(record.get("case_number", "")).startswith(REJECT_MARKER):
                    status = "rejected"
                    errors = {"case_number": ["办件编号不符合编码规则。"]}
                elif record_id in self.stored:
                    status, errors = "duplicate", {}
                else:
                    self.stored[record_id] += 1
                    status, errors = "accepted", {}
                counts[status] += 1
                results.append(
                    {"index": index, "record_id": record_id, "status": status, "errors": errors}
                )
            entry["records"] = len(records)
            entry["status"] = 200
            entry.update(counts)
            hang = self._hang
            self._hang = False
            release = self._release
        if hang:  # stored and committed; the answer is held back
            self.hanging.set()
            release.wait(timeout=60)
        elif self.delay:
            time.sleep(self.delay)
        payload = {
            "accepted": counts["accepted"],
            "duplicates": counts["duplicate"],
            "rejected": counts["rejected"],
            "results": results,
        }
        return 200, payload, {}


def outbox_rows(count: int, *, reject: int = 0, prefix: str = "") -> list[OutboxMessage]:
    """``count`` process records in the exchange format, each with its outbox row, made
    in bulk (real cases make theirs through the case services). The last ``reject``
    carry the receiver's reject marker in their case number."""
    now = timezone.now()
    records = []
    for index in range(count):
        record_id = uuid.uuid4()
        number = f"{REJECT_MARKER if index >= count - reject else ''}{prefix}T{index:07d}"
        payload = {
            "format": "1.0",
            "record_id": str(record_id),
            "case_number": number,
            "implementation_code": "11440703MB2C93751JJF01601000",
            "item_name": "最低生活保障审批",
            "case_type": "2",
            "channel": "online",
            "message_type": "2",
            "event": "accept",
            "occurred_at": timezone.localtime(now).isoformat(timespec="seconds"),
            "department": {"code": "11440703MB2C93751J", "name": "蓬江区民政局"},
            "region_code": "440703",
            "state": "in_progress",
            "visits": 0,
            "promised_due": None,
            "statutory_due": None,
            "details": {"step_code": "0", "step_name": "受理", "action": "pass"},
        }
        records.append(
            ProcessRecord(
                record_id=record_id,
                case_number=number,
                implementation_code=payload["implementation_code"],
                message_type="2",
                event="accept",
                occurred_at=now,
                region_code="440703",
                department_code="11440703MB2C93751J",
                case_type="2",
                channel="online",
                payload=payload,
            )
        )
    records = ProcessRecord.objects.bulk_create(records, batch_size=500)
    return OutboxMessage.objects.bulk_create(
        [OutboxMessage(record=record) for record in records], batch_size=500
    )
