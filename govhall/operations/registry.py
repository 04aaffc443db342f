"""Periodic jobs, each declared once, in the app whose work it is.

An app lists its jobs in its own ``jobs.py``; ``OperationsConfig.ready`` imports every
installed app's ``jobs`` module (``autodiscover``, the way the admin finds ``admin.py``),
plus the modules named in ``settings.GOVHALL_JOB_MODULES``. So a new subsystem adds
its reminders or reconciliation by writing::

    # govhall/spaces/jobs.py
    from govhall.operations.registry import job

    @job("send_reminders", every=datetime.timedelta(hours=1), description="…")
    def send_reminders():
        return reminders.send_due()          # a count, a dict or a dataclass: the summary

without touching this module. The scheduler (``services.scheduler``) runs what is
registered; the registry itself is static configuration filled at start-up, not state.
"""

from __future__ import annotations

import datetime
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError
from django.conf import settings
from django.utils.module_loading import autodiscover_modules


class Every:
    """Every ``interval``, on slots aligned to the epoch (so all instances agree on
    them whenever each started): every 15 minutes means :00, :15, :30, :45."""

    def __init__(self, interval: datetime.timedelta) -> None:
        if interval.total_seconds() <= 0:
            raise ValueError("a job's interval must be positive")
        self.seconds = interval.total_seconds()

    def next_after(self, moment: datetime.datetime) -> datetime.datetime:
        stamp = moment.timestamp()
        slot = math.floor(stamp / self.seconds + 1e-9) * self.seconds + self.seconds
        return datetime.datetime.fromtimestamp(slot, tz=datetime.UTC)

    def __str__(self) -> str:
        seconds = int(self.seconds)
        for unit, size in (("天", 86400), ("小时", 3600), ("分钟", 60)):
            if seconds % size == 0:
                return f"每{seconds // size}{unit}"
        return f"每{self.seconds:g}秒"


class Cron:
    """A cron expression (minute hour day month weekday) in the hall's time zone."""

    def __init__(self, expression: str) -> None:
        try:
            CronSim(expression, datetime.datetime(2026, 1, 1))
        except CronSimError as exc:
            raise ValueError(f"bad cron expression {expression!r}: {exc}") from exc
        self.expression = expression

    def next_after(self, moment: datetime.datetime) -> datetime.datetime:
        zone = ZoneInfo(settings.TIME_ZONE)
        local = moment.astimezone(zone).replace(tzinfo=None, microsecond=0)
        upcoming = next(CronSim(self.expression, local))
        if upcoming <= moment.astimezone(zone).replace(tzinfo=None):
            upcoming = next(CronSim(self.expression, upcoming))
        return upcoming.replace(tzinfo=zone).astimezone(datetime.UTC)

    def __str__(self) -> str:
        return f"cron {self.expression}"


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], Any]
    schedule: Every | Cron
    description: str = ""
    # Retries of a failed run before waiting for the next slot, and the first delay
    # (doubled each time, never past the next slot).
    retries: int = 3
    backoff: datetime.timedelta = field(default=datetime.timedelta(seconds=30))

    def retry_delay(self, attempt: int) -> datetime.timedelta:
        return self.backoff * (2 ** max(attempt - 1, 0))


_jobs: dict[str, Job] = {}


def job(
    name: str,
    *,
    every: datetime.timedelta | None = None,
    cron: str | None = None,
    description: str = "",
    retries: int = 3,
    backoff: datetime.timedelta = datetime.timedelta(seconds=30),
):
    """Declare a periodic job: ``every=timedelta(...)`` or ``cron="m h dom mon dow"``."""
    if (every is None) == (cron is None):
        raise ValueError(f"job {name!r}: give exactly one of every= and cron=")
    schedule = Every(every) if every is not None else Cron(cron)

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        existing = _jobs.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"job {name!r} is declared twice")
        _jobs[name] = Job(name, func, schedule, description, retries, backoff)
        return func

    return register


def jobs() -> dict[str, Job]:
    return dict(sorted(_jobs.items()))


def get(name: str) -> Job | None:
    return _jobs.get(name)


def autodiscover() -> None:
    autodiscover_modules("jobs")
    for module in getattr(settings, "GOVHALL_JOB_MODULES", ()):
        importlib.import_module(module)
