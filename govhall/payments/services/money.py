"""Money is an integer number of fen; yuan appear only on pages and documents."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from govhall.core.errors import refuse


def fen_of_yuan(value, field: str = "amount") -> int:
    """Exact: the catalogue's 元 with at most two decimals, else a refusal."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise refuse(field, "decimal", "金额须为数字（元，最多两位小数）。") from None
    fen = amount * 100
    if fen != fen.to_integral_value() or fen < 0:
        raise refuse(field, "decimal", "金额须为不小于0的数字，最小单位为分。")
    return int(fen)


def yuan(fen: int) -> str:
    """¥ text of ``fen``: 12345 → "123.45"."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def check_digit(digits: str) -> str:
    """Luhn (ISO/IEC 7812-1) check digit, so a mistyped code is caught at the counter."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 0:
            n *= 2
            n -= 9 if n > 9 else 0
        total += n
    return str((10 - total % 10) % 10)


def payment_code(region_code: str) -> str:
    """A 20-digit payment code in the style of 非税收入缴款码: 6-digit region of the
    collecting department, 2-digit year, 11-digit serial, 1 check digit."""
    head = f"{region_code[:6]:0<6}{timezone.localdate():%y}{secrets.randbelow(10**11):011d}"
    return head + check_digit(head)


def code_is_valid(code: str) -> bool:
    return len(code) == 20 and code.isdigit() and check_digit(code[:-1]) == code[-1]


def number(prefix: str) -> str:
    """An order or refund number: prefix, local time to the second, 8 random digits."""
    return f"{prefix}{timezone.localtime():%Y%m%d%H%M%S}{secrets.randbelow(10**8):08d}"
