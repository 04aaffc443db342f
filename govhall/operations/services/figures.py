"""The operational figures: what the metrics endpoint exports and the operations page
shows — one reading of the database per call, each part guarded so that one failing
source (a table another app has not migrated yet, an unreachable cache) still leaves
the rest."""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.db.models import Count, Min
from django.utils import timezone

from govhall.core import files

from .. import registry
from ..models import JobRun, JobState
from . import scheduler

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backlog:
    depth: int | None = None
    oldest_age: float | None = None  # seconds


@dataclass(frozen=True)
class JobFigures:
    name: str
    schedule: str
    description: str
    next_run_at: datetime.datetime | None
    last_started_at: datetime.datetime | None
    last_finished_at: datetime.datetime | None
    last_outcome: str
    last_success_at: datetime.datetime | None
    failures: int
    running: bool
    last_seconds: float | None
    recent: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DatabaseFigures:
    up: bool
    vendor: str
    connections: dict = field(default_factory=dict)
    maximum: int | None = None


@dataclass(frozen=True)
class Snapshot:
    queue: Backlog
    outbox: Backlog
    ingest: Backlog
    scheduler_age: float | None
    jobs: list[JobFigures]
    database: DatabaseFigures
    cache_up: int | None  # None: no shared cache configured


def _age(moment, now) -> float | None:
    return None if moment is None else max((now - moment).total_seconds(), 0.0)


def _guarded(read, default):
    try:
        return read()
    except DatabaseError as exc:
        logger.warning("operations figure unavailable: %s", exc)
        return default


def task_queue(now) -> Backlog:
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    row = ready.aggregate(depth=Count("id"), oldest=Min("enqueued_at"))
    return Backlog(row["depth"], _age(row["oldest"], now))


def outbox(now) -> Backlog:
    from govhall.records.models import OutboxMessage

    pending = OutboxMessage.objects.filter(delivered_at__isnull=True, rejected_at__isnull=True)
    row = pending.aggregate(depth=Count("id"), oldest=Min("created_at"))
    return Backlog(row["depth"], _age(row["oldest"], now))


def ingest(now) -> Backlog:
    """Records the monitoring roll-ups have not folded yet, and the oldest one's age."""
    from govhall.monitoring.models import RefreshState
    from govhall.monitoring.services.refresh import WATERMARK
    from govhall.records.models import ProcessRecord

    mark = RefreshState.objects.filter(name=WATERMARK).values_list("last_record_pk", flat=True)
    waiting = ProcessRecord.objects.filter(pk__gt=mark.first() or 0)
    row = waiting.aggregate(depth=Count("id"), oldest=Min("received_at"))
    return Backlog(row["depth"], _age(row["oldest"], now))


def jobs(now) -> list[JobFigures]:
    states = {s.name: s for s in JobState.objects.all()}
    since = now - datetime.timedelta(hours=24)
    recent: dict[str, Counter] = {}
    for row in (
        JobRun.objects.filter(started_at__gte=since)
        .values("job", "outcome")
        .annotate(n=Count("id"))
    ):
        recent.setdefault(row["job"], Counter())[row["outcome"]] = row["n"]
    rows = []
    for name, declared in registry.jobs().items():
        state = states.get(name)
        finished = state is not None and state.last_finished_at and state.last_started_at
        rows.append(
            JobFigures(
                name=name,
                schedule=str(declared.schedule),
                description=declared.description,
                next_run_at=state.next_run_at if state else None,
                last_started_at=state.last_started_at if state else None,
                last_finished_at=state.last_finished_at if state else None,
                last_outcome=state.last_outcome if state else "",
                last_success_at=state.last_success_at if state else None,
                failures=state.failures if state else 0,
                running=bool(state and state.lease_until and state.lease_until > now),
                last_seconds=(state.last_finished_at - state.last_started_at).total_seconds()
                if finished and state.last_finished_at >= state.last_started_at
                else None,
                recent=dict(recent.get(name, {})),
            )
        )
    return rows


def database() -> DatabaseFigures:
    conn = connections["default"]
    try:
        with conn.cursor() as cursor:
            if conn.vendor != "postgresql":
                cursor.execute("SELECT 1")
                return DatabaseFigures(True, conn.vendor)
            cursor.execute(
                "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() GROUP BY 1"
            )
            by_state = dict(cursor.fetchall())
            cursor.execute("SHOW max_connections")
            maximum = int(cursor.fetchone()[0])
        return DatabaseFigures(True, conn.vendor, by_state, maximum)
    except DatabaseError:
        return DatabaseFigures(False, conn.vendor)


def cache_status() -> int | None:
    """1 when the shared cache (Redis) answers, 0 when it does not, None without one."""
    if not settings.REDIS_URL:
        return None
    try:
        cache.set("operations:ping", 1, 30)
        return int(cache.get("operations:ping") == 1)
    except Exception:  # any failure of the cache server
        return 0


def snapshot() -> Snapshot:
    now = timezone.now()
    return Snapshot(
        queue=_guarded(lambda: task_queue(now), Backlog()),
        outbox=_guarded(lambda: outbox(now), Backlog()),
        ingest=_guarded(lambda: ingest(now), Backlog()),
        scheduler_age=_guarded(lambda: scheduler.heartbeat_age(now), None),
        jobs=_guarded(lambda: jobs(now), []),
        database=database(),
        cache_up=cache_status(),
    )


@dataclass(frozen=True)
class Alert:
    level: str  # "error" or "warning"
    message: str


CHECKPOINT_STALE_SECONDS = 2 * 3600


def checkpoint_alert() -> str:
    """A warning when audit entries have waited more than two hours for a signed
    checkpoint (the hourly ``audit_checkpoint`` job is not running)."""
    from govhall.core.models import AuditEntry
    from govhall.core.services import checkpoints

    sequence, _ = checkpoints.current_head()
    last = checkpoints.latest()
    signed = last.sequence if last is not None else 0
    if sequence <= signed:
        return ""
    oldest = (
        AuditEntry.objects.filter(sequence__gt=signed)
        .order_by("sequence")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if oldest is None:
        return ""
    age = (timezone.now() - oldest).total_seconds()
    if age <= CHECKPOINT_STALE_SECONDS:
        return ""
    return (
        f"审计日志第{signed + 1}条起已{int(age // 3600)}小时未被签名检查点覆盖"
        f"（日志已到第{sequence}条）：检查定时任务 audit_checkpoint"
        "（截短和重链只能由检查点发现）。"
    )


def alerts(snap: Snapshot) -> list[Alert]:
    """What needs a person now, worst first."""
    found = []
    if not snap.database.up:
        found.append(Alert("error", "数据库无法连接。"))
    if snap.cache_up == 0:
        found.append(Alert("error", "共享缓存（Redis）无法连接：限流和缓存暂时失效。"))
    stale = settings.GOVHALL_SCHEDULER_STALE_SECONDS
    if stale and (snap.scheduler_age is None or snap.scheduler_age > stale):
        found.append(
            Alert(
                "error",
                "没有正在运行的调度进程：期限扫描、过程信息报送等定时任务不会执行"
                "（启动 manage.py run_scheduler）。"
                if snap.scheduler_age is None
                else f"调度进程已{int(snap.scheduler_age)}秒没有心跳。",
            )
        )
    for job in snap.jobs:
        if job.failures:
            found.append(
                Alert("error", f"定时任务“{job.name}”连续失败{job.failures}次，详见下方运行记录。")
            )
    if snap.queue.oldest_age and snap.queue.oldest_age > 600:
        found.append(
            Alert(
                "warning",
                f"后台任务队列中最早的任务已等待{int(snap.queue.oldest_age // 60)}分钟"
                f"（{snap.queue.depth}个待运行）：检查 db_worker 是否在运行。",
            )
        )
    hours = settings.GOVHALL_EXCHANGE_ALERT_HOURS
    if snap.outbox.oldest_age and snap.outbox.oldest_age > hours * 3600:
        found.append(
            Alert(
                "warning",
                f"有{snap.outbox.depth}条过程信息超过{hours:g}小时未送达上级大厅。",
            )
        )
    stale = checkpoint_alert()
    if stale:
        found.append(Alert("warning", stale))
    missing = files.missing_recently()
    if missing:
        names = "、".join(row["name"] for row in missing[:3]) + ("等" if len(missing) > 3 else "")
        found.append(
            Alert(
                "error",
                f"最近24小时有{len(missing)}个存储文件缺失（{names}）：记录还在而文件不见了，"
                "请从备份恢复媒体文件。",
            )
        )
    if snap.ingest.oldest_age and snap.ingest.oldest_age > 3600:
        found.append(
            Alert(
                "warning",
                f"{snap.ingest.depth}条过程信息超过1小时未汇总进监测指标。",
            )
        )
    found += [Alert("error", message) for message in _entry_alerts()]
    return found


def _entry_alerts() -> list[str]:
    """Mobile entries that failed twice in a row (govhall.mobile, 定期检测), if installed."""
    from django.apps import apps

    if not apps.is_installed("govhall.mobile"):
        return []
    from govhall.mobile.services import probe

    return _guarded(probe.alerts, [])
