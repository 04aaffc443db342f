"""The usage report's query (``from``, ``to``, ``channel``), shared by the page and the API."""

from __future__ import annotations

import datetime

from govhall.core.errors import refuse

from ..models import Channel
from . import usage


def _date(value: str, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise refuse(field, "invalid", f"“{field}”须为日期，格式YYYY-MM-DD。") from None


def query(params) -> tuple[list[Channel], datetime.date, datetime.date]:
    """Channels and period of a report request; refuses bad dates, spans and codes."""
    start, end = usage.period(
        _date(params.get("from", "").strip(), "from"), _date(params.get("to", "").strip(), "to")
    )
    if start > end:
        raise refuse("from", "invalid", "起始日期（from）不能晚于截止日期（to）。")
    if (end - start).days >= usage.MAX_DAYS:
        raise refuse("to", "max_span", f"统计期间不能超过{usage.MAX_DAYS}天。")
    channels = Channel.objects.select_related("application").order_by("code")
    code = params.get("channel", "").strip()
    if code:
        channels = channels.filter(code=code)
        if not channels.exists():
            raise refuse("channel", "unknown", f"没有代码为“{code}”的第三方渠道。")
    return list(channels), start, end
