"""Logging filters: request ids on every line, personal ID numbers and tokens never in clear."""

import logging
import re

from . import context
from .identifiers import mask_id_number

# 18-character citizen ID numbers (and 15-digit first-generation ones) standing alone.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_FORMATTER = logging.Formatter()


# Tokens in a logged URL or message: OAuth parameters by name, and anything shaped like a
# JWT (an ID token's claims are base64, which the ID-number pattern cannot see).
_TOKEN_PARAMETER = re.compile(
    r"(?i)\b(id_token_hint|id_token|access_token|refresh_token|client_secret|logout_hint)"
    r"=([^&\s\"']+)"
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
REDACTED = "[已隐去]"


def mask_text(text: str) -> str:
    text = _TOKEN_PARAMETER.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)), text)


class RequestIdFilter(logging.Filter):
    """Stamp the request id; Django logs 4xx/5xx responses after the middleware has
    returned, so fall back to the request those records carry."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = context.current().request_id
        if not request_id:
            request_id = getattr(getattr(record, "request", None), "request_id", "")
        record.request_id = request_id or "-"
        return True


class MaskIdNumbersFilter(logging.Filter):
    """Mask ID numbers in the message, and in the traceback and stack printed with it.

    The traceback is formatted here (and kept in ``exc_text``, which formatters reuse)
    because an exception's text often repeats the input that caused it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format call: let the handler report it as usual
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
