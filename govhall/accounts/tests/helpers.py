"""Helpers for identity tests."""

import re

from govhall.accounts import sms


def last_code(mobile: str) -> str:
    """The code of the latest SMS sent to ``mobile`` (LocmemBackend)."""
    for message in reversed(sms.outbox):
        if message.mobile == mobile:
            return re.search(r"验证码为(\d{6})", message.text).group(1)
    raise AssertionError(f"no SMS to {mobile}")
