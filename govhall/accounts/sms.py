"""Pluggable SMS delivery for one-time codes, in the manner of Django's e-mail backends.

``settings.GOVHALL_SMS_BACKEND`` names a class with ``send(mobile, text)``. A real
gateway is a small subclass of ``BaseBackend`` calling the operator's API. Built in:

* ``ConsoleBackend`` (development default): prints the message to standard output.
* ``FileBackend``: appends each message as one JSON line to
  ``settings.GOVHALL_SMS_FILE_PATH/<date>.jsonl`` (for a shared test machine).
* ``LocmemBackend``: keeps messages in ``sms.outbox`` (tests).

Messages carry a code, never an ID number; the console and file backends are for
machines without a gateway and must not be used in production.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Message:
    mobile: str
    text: str
    sent_at: str


class SmsError(Exception):
    """The gateway refused or failed to send (the message is for the user, in Chinese)."""


class BaseBackend:
    def send(self, mobile: str, text: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    _lock = threading.Lock()

    def send(self, mobile: str, text: str) -> None:
        with self._lock:
            sys.stdout.write(f"[短信] 发送至 {mobile}：{text}\n")
            sys.stdout.flush()


class FileBackend(BaseBackend):
    _lock = threading.Lock()

    def send(self, mobile: str, text: str) -> None:
        directory = Path(settings.GOVHALL_SMS_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        line = json.dumps(
            {"mobile": mobile, "text": text, "sent_at": now.isoformat()}, ensure_ascii=False
        )
        with self._lock, open(directory / f"{now:%Y-%m-%d}.jsonl", "a", encoding="utf-8") as f:
            f.write(line + "\n")


outbox: list[Message] = []


class LocmemBackend(BaseBackend):
    def send(self, mobile: str, text: str) -> None:
        outbox.append(Message(mobile, text, timezone.now().isoformat()))


def get_backend() -> BaseBackend:
    return import_string(settings.GOVHALL_SMS_BACKEND)()


def send(mobile: str, text: str) -> None:
    get_backend().send(mobile, text)
