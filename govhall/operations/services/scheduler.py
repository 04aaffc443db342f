"""The scheduler: every registered job once per slot, whatever the number of instances.

Each job has one ``JobState`` row. An instance runs a job only after a conditional
UPDATE — ``next_run_at`` due and no live lease — changed that row for it (a
compare-and-set: PostgreSQL re-checks the WHERE clause after the row lock, SQLite has one
writer at a time), so of several instances exactly one wins each slot; the others'
UPDATE matches no row. The winner holds a lease that its heartbeat thread renews; if
the process dies the lease runs out and another instance takes the slot over as the
next attempt (the dead run is marked ``lost``). Why a lease row rather than advisory
locks or a leader: docs/adr/0010-scheduler-claims-jobs-by-lease.md.

A failed run is retried after ``backoff``, doubled each time, up to ``retries`` times
but never past the next regular slot; the first failure of a streak and the last retry
alert (log + mail to ADMINS) and the operations page shows the job in red until it
succeeds. Missed slots (every instance down) are not replayed one by one: the job runs
once when an instance comes back, then on its regular slots.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import secrets
import socket
import threading
import traceback
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from govhall.core import context
from govhall.core.logging import mask_text
from govhall.core.services import audit

from .. import registry
from ..models import JobRun, JobState, Outcome, SchedulerInstance

logger = logging.getLogger("govhall.scheduler")

LEASE = datetime.timedelta(seconds=60)
HEARTBEAT_SECONDS = 10.0


def lease_seconds() -> float:
    return float(getattr(settings, "GOVHALL_SCHEDULER_LEASE_SECONDS", LEASE.total_seconds()))


def heartbeat_seconds() -> float:
    return float(getattr(settings, "GOVHALL_SCHEDULER_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))


def sync_jobs(names: Iterable[str], now: datetime.datetime | None = None) -> None:
    """A state row for every registered job; a new job is due at once (so a fresh
    installation scans its deadlines as soon as the scheduler starts)."""
    now = now or timezone.now()
    JobState.objects.bulk_create(
        [JobState(name=name, slot=now, next_run_at=now) for name in names],
        ignore_conflicts=True,
    )


def _free(now: datetime.datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def claim(name: str, instance: str, now: datetime.datetime | None = None) -> JobState | None:
    """Take the job's due slot for ``instance``; None when it is not due or is taken."""
    now = now or timezone.now()
    won = JobState.objects.filter(_free(now), name=name, next_run_at__lte=now).update(
        lease_owner=instance,
        lease_until=now + datetime.timedelta(seconds=lease_seconds()),
        attempt=F("attempt") + 1,
        last_started_at=now,
    )
    return JobState.objects.get(name=name) if won else None


def summarise(result: Any) -> dict:
    """What a job returned, as the run's summary: counts stay numbers."""
    if result is None:
        return {}
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    if isinstance(result, dict):
        return {str(k): v for k, v in result.items()}
    if isinstance(result, bool | int | float):
        return {"count": result}
    return {"result": str(result)[:500]}


def run_claimed(job: registry.Job, state: JobState, instance: str) -> JobRun:
    """Run a job whose slot ``instance`` has claimed, record the run and plan the next."""
    started = timezone.now()
    JobRun.objects.filter(job=job.name, outcome=Outcome.RUNNING).update(
        outcome=Outcome.LOST,
        finished_at=started,
        error="调度进程在运行中停止，租约到期后由其他实例接手。",
    )
    run = JobRun.objects.create(
        job=job.name, slot=state.slot, attempt=state.attempt, instance=instance, started_at=started
    )
    error = ""
    summary: dict = {}
    try:
        with context.acting(label=f"system:{job.name}", request_id=f"job-{run.pk}"):
            summary = summarise(job.func())
    except Exception:
        error = mask_text(traceback.format_exc())[-8000:]
    finished = timezone.now()
    run.finished_at, run.summary, run.error = finished, summary, error
    run.outcome = Outcome.FAILED if error else Outcome.OK
    run.save(update_fields=["finished_at", "summary", "error", "outcome"])
    _plan_next(job, state, instance, run)
    return run


def _plan_next(job: registry.Job, state: JobState, instance: str, run: JobRun) -> None:
    now = run.finished_at
    regular = job.schedule.next_after(max(now, state.slot))
    mine = JobState.objects.filter(name=job.name, lease_owner=instance)
    common = {
        "lease_owner": "",
        "lease_until": None,
        "last_finished_at": now,
        "last_outcome": run.outcome,
        "run_requested_by": "",
    }
    if run.outcome == Outcome.OK:
        mine.update(
            slot=regular, next_run_at=regular, attempt=0, failures=0, last_success_at=now, **common
        )
        if state.failures:
            logger.info("job %s succeeded again after %s failures", job.name, state.failures)
        return
    failures = state.failures + 1
    retry_at = now + job.retry_delay(state.attempt)
    if state.attempt <= job.retries and retry_at < regular:
        mine.update(next_run_at=retry_at, failures=failures, **common)
        gave_up = False
    else:
        mine.update(slot=regular, next_run_at=regular, attempt=0, failures=failures, **common)
        gave_up = True
    _alert(job, run, failures, retry_at if not gave_up else None)


def _alert(job: registry.Job, run: JobRun, failures: int, retry_at) -> None:
    last_line = (run.error.strip().splitlines() or ["?"])[-1]
    if retry_at is not None:
        then = f"将于{timezone.localtime(retry_at):%H:%M:%S}重试（第{run.attempt + 1}次尝试）。"
    else:
        then = "本计划时间的重试已用完，等待下一个计划时间。"
    message = (
        f"定时任务“{job.name}”第{run.attempt}次尝试失败（连续失败{failures}次）："
        f"{last_line}。{then}"
    )
    logger.error(message, extra={"job": job.name, "run_id": run.pk})
    if failures == 1 or retry_at is None:
        mail_admins(f"定时任务失败：{job.name}", f"{message}\n\n{run.error}", fail_silently=True)


@transaction.atomic
def request_run(name: str, user) -> bool:
    """An administrator's “run now”: the job becomes due at once (unless it is running)."""
    now = timezone.now()
    sync_jobs([name], now)
    changed = JobState.objects.filter(_free(now), name=name).update(
        slot=now, next_run_at=now, attempt=0, run_requested_by=user.get_username()[:150]
    )
    if changed:
        audit.record(
            audit.Action.OTHER,
            object_type="operations.jobstate",
            object_id=name,
            object_repr=name,
            reason="立即运行定时任务",
        )
    return bool(changed)


class Scheduler:
    """One scheduler process. ``tick`` runs what is due now; ``serve`` loops until told
    to stop, sleeping until the earliest due job (at most ``poll`` seconds)."""

    def __init__(self, *, names: Iterable[str] | None = None, poll: float = 5.0) -> None:
        known = registry.jobs()
        self.jobs = {n: j for n, j in known.items() if names is None or n in set(names)}
        self.poll = poll
        self.instance = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------
    def start(self) -> None:
        now = timezone.now()
        SchedulerInstance.objects.create(
            instance=self.instance,
            host=socket.gethostname()[:100],
            pid=os.getpid(),
            started_at=now,
            beat_at=now,
        )
        sync_jobs(self.jobs, now)
        self._beat = threading.Thread(target=self._heartbeat, name="scheduler-heartbeat")
        self._beat.daemon = True
        self._beat.start()
        logger.info("scheduler %s started: %s", self.instance, ", ".join(self.jobs) or "no jobs")

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=heartbeat_seconds() + 25)
        now = timezone.now()
        SchedulerInstance.objects.filter(instance=self.instance).update(stopped_at=now, beat_at=now)
        JobState.objects.filter(lease_owner=self.instance).update(lease_owner="", lease_until=None)
        logger.info("scheduler %s stopped", self.instance)

    def _heartbeat(self) -> None:
        try:
            while not self._stop.wait(heartbeat_seconds()):
                self.beat()
        finally:
            connection.close()

    def beat(self) -> None:
        now = timezone.now()
        try:
            SchedulerInstance.objects.filter(instance=self.instance).update(beat_at=now)
            JobState.objects.filter(lease_owner=self.instance).update(
                lease_until=now + datetime.timedelta(seconds=lease_seconds())
            )
        except DatabaseError as exc:  # the database is busy or away: try again next beat
            logger.warning("scheduler heartbeat failed: %s", exc)
            close_old_connections()

    # --- work ------------------------------------------------------------------------
    def tick(self) -> list[JobRun]:
        """Run every job due now that this instance wins; the runs it made."""
        now = timezone.now()
        due = list(
            JobState.objects.filter(_free(now), name__in=self.jobs, next_run_at__lte=now)
            .order_by("next_run_at")
            .values_list("name", flat=True)
        )
        runs, lost = [], 0
        for name in due:
            if self._stop.is_set():
                break
            state = claim(name, self.instance)
            if state is None:
                lost += 1
                continue
            runs.append(run_claimed(self.jobs[name], state, self.instance))
        if runs or lost:
            SchedulerInstance.objects.filter(instance=self.instance).update(
                claims_won=F("claims_won") + len(runs), claims_lost=F("claims_lost") + lost
            )
        return runs

    def seconds_to_next(self) -> float:
        now = timezone.now()
        wake = None
        for state in JobState.objects.filter(name__in=self.jobs).only("next_run_at", "lease_until"):
            at = state.next_run_at
            if state.lease_until is not None and state.lease_until > now:
                at = max(at, state.lease_until)
            wake = at if wake is None else min(wake, at)
        if wake is None:
            return self.poll
        return min(self.poll, max((wake - now).total_seconds(), 0.02))

    def serve(self) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                self.tick()
                pause = self.seconds_to_next()
            except DatabaseError as exc:
                logger.error("scheduler tick failed: %s", exc)
                close_old_connections()
                pause = self.poll
            self._stop.wait(pause)


def prune(*, runs_days: int, instances_days: int) -> dict:
    """Forget old run records and long-stopped instances (the page shows recent ones)."""
    now = timezone.now()
    runs, _ = (
        JobRun.objects.filter(started_at__lt=now - datetime.timedelta(days=runs_days))
        .exclude(outcome=Outcome.RUNNING)
        .delete()
    )
    instances, _ = SchedulerInstance.objects.filter(
        stopped_at__lt=now - datetime.timedelta(days=instances_days)
    ).delete()
    return {"runs": runs, "instances": instances}


def heartbeat_age(now: datetime.datetime | None = None) -> float | None:
    """Seconds since the freshest running scheduler's heartbeat (None: none running)."""
    now = now or timezone.now()
    latest = (
        SchedulerInstance.objects.filter(stopped_at__isnull=True)
        .order_by("-beat_at")
        .values_list("beat_at", flat=True)
        .first()
    )
    return None if latest is None else max((now - latest).total_seconds(), 0.0)
