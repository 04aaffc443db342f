"""JSON log lines (``GOVHALL_LOG_FORMAT=json``, the production default): one object per
line with the request id, the acting user's id — never a name or an ID number (the
``mask_ids`` filter has already masked any in the message) — and the route."""

from __future__ import annotations

import datetime
import json
import logging

from govhall.core import context

_FIELDS = ("route", "method", "status", "duration_ms", "client", "job", "run_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        user_id = getattr(record, "user_id", None)
        if user_id is None:
            user_id = context.current().user_id
        if user_id is not None:
            entry["user_id"] = user_id
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)
