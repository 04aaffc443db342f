"""Usage per channel and day: API calls, errors and refusals over the rate (counted as
they happen, ``ChannelDay``), and the cases and ratings the channel brought (counted
from the cases' and ratings' own ``channel_client``, so they never disagree)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from govhall.cases.models import Case, Rating

from ..models import Channel, ChannelDay

MAX_DAYS = 366
FIGURES = ("requests", "errors", "throttled", "cases", "ratings")


def count(channel_id: int, status_code: int) -> None:
    """One call of ``channel_id`` answered with ``status_code`` (atomic increments)."""
    day = timezone.localdate()
    bumps = {"requests": 1, "errors": int(status_code >= 400), "throttled": int(status_code == 429)}
    changes = {name: F(name) + value for name, value in bumps.items() if value}
    rows = ChannelDay.objects.filter(channel_id=channel_id, day=day)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            ChannelDay.objects.create(channel_id=channel_id, day=day, **bumps)
    except IntegrityError:  # another process created today's row first
        rows.update(**changes)


@dataclass
class ChannelUsage:
    channel: Channel
    days: list[dict] = field(default_factory=list)  # oldest first, every day of the period
    totals: dict = field(default_factory=dict)


def period(start: datetime.date | None, end: datetime.date | None) -> tuple:
    """The days asked for: the last 30 by default, at most ``MAX_DAYS``."""
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=29)
    return start, end


def report(channels: list[Channel], start: datetime.date, end: datetime.date) -> list[ChannelUsage]:
    """Per channel, every day from ``start`` to ``end``: requests, errors, throttled,
    cases (by submission day) and ratings (by rating day)."""
    by_app = {c.application_id: c.pk for c in channels}
    figures: dict[tuple[int, datetime.date], dict] = defaultdict(dict)
    for row in ChannelDay.objects.filter(channel__in=channels, day__gte=start, day__lte=end).values(
        "channel_id", "day", "requests", "errors", "throttled"
    ):
        figures[(row["channel_id"], row["day"])].update(
            requests=row["requests"], errors=row["errors"], throttled=row["throttled"]
        )
    tz = timezone.get_current_timezone()
    for model, moment, name in ((Case, "submitted_at", "cases"), (Rating, "created_at", "ratings")):
        rows = (
            model.objects.filter(
                channel_client_id__in=by_app,
                **{f"{moment}__date__gte": start, f"{moment}__date__lte": end},
            )
            .annotate(day=TruncDate(moment, tzinfo=tz))
            .values("channel_client_id", "day")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            figures[(by_app[row["channel_client_id"]], row["day"])][name] = row["n"]
    out = []
    days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
    for channel in channels:
        usage = ChannelUsage(channel, totals=dict.fromkeys(FIGURES, 0))
        for day in days:
            row = {
                "day": day,
                **{name: figures[(channel.pk, day)].get(name, 0) for name in FIGURES},
            }
            usage.days.append(row)
            for name in FIGURES:
                usage.totals[name] += row[name]
        out.append(usage)
    return out
