"""Logging filters: request ids on every line, personal ID numbers never in clear."""

import logging
import re

from . import context
from .identifiers import mask_id_number

# 18-character citizen ID numbers (and 15-digit first-generation ones) standing alone.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)), text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.current().request_id or "-"
        return True


class MaskIdNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
