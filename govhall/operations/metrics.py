"""Prometheus metrics: request counts and latency by route (counted in this process,
or across gunicorn's workers when ``PROMETHEUS_MULTIPROC_DIR`` is set), and figures read
from the database at scrape time — task queue, outbox, exchange ingest, scheduler,
database connections — which every app process reports alike.
"""

from __future__ import annotations

import os

_directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _directory and not os.path.isdir(_directory):
    try:  # a management command of a service without the web's runtime directory
        os.makedirs(_directory, exist_ok=True)
    except OSError:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]  # count in this process only

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest  # noqa: E402
from prometheus_client.core import GaugeMetricFamily  # noqa: E402

REQUESTS = Counter(
    "govhall_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "govhall_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter("govhall_http_server_errors_total", "HTTP requests answered with a 5xx", ["route"])
CPU = Counter(
    "govhall_http_request_cpu_seconds_total",
    "CPU time the app process spent answering, by route (what a core can serve)",
    ["method", "route"],
)


def observe_request(method: str, route: str, status: int, seconds: float, cpu: float) -> None:
    method = method if method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} else "OTHER"
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
    CPU.labels(method, route).inc(cpu)
    if status >= 500:
        ERRORS.labels(route).inc()


class DatabaseCollector:
    """Operational figures from the database (the same ones the operations page shows)."""

    def collect(self):
        from .services import figures

        snapshot = figures.snapshot()
        yield from _gauges(snapshot)


def _gauge(name: str, documentation: str, value, labels: dict | None = None):
    family = GaugeMetricFamily(name, documentation, labels=list(labels or {}))
    if value is not None:
        family.add_metric(list((labels or {}).values()), value)
    return family


def _gauges(snapshot):
    queue = snapshot.queue
    yield _gauge("govhall_task_queue_depth", "Background tasks waiting to run", queue.depth)
    yield _gauge(
        "govhall_task_queue_oldest_age_seconds",
        "Age of the oldest waiting background task",
        queue.oldest_age,
    )
    yield _gauge(
        "govhall_outbox_pending", "Process records not yet delivered", snapshot.outbox.depth
    )
    yield _gauge(
        "govhall_outbox_lag_seconds",
        "Age of the oldest undelivered process record",
        snapshot.outbox.oldest_age,
    )
    yield _gauge(
        "govhall_exchange_unfolded_records",
        "Process records not yet folded into the monitoring roll-ups",
        snapshot.ingest.depth,
    )
    yield _gauge(
        "govhall_exchange_ingest_lag_seconds",
        "Age of the oldest process record not yet folded into the roll-ups",
        snapshot.ingest.oldest_age,
    )
    yield _gauge(
        "govhall_scheduler_heartbeat_age_seconds",
        "Seconds since the freshest scheduler heartbeat",
        snapshot.scheduler_age,
    )
    last = GaugeMetricFamily(
        "govhall_job_last_run_timestamp_seconds",
        "End of the last run of a job, by outcome",
        labels=["job", "outcome"],
    )
    failing = GaugeMetricFamily(
        "govhall_job_consecutive_failures", "Failed runs since the last success", labels=["job"]
    )
    runs = GaugeMetricFamily(
        "govhall_job_runs_24h", "Runs in the last 24 hours, by outcome", labels=["job", "outcome"]
    )
    duration = GaugeMetricFamily(
        "govhall_job_last_duration_seconds", "Duration of the last run", labels=["job"]
    )
    for job in snapshot.jobs:
        failing.add_metric([job.name], job.failures)
        if job.last_finished_at is not None and job.last_outcome:
            last.add_metric([job.name, job.last_outcome], job.last_finished_at.timestamp())
        if job.last_seconds is not None:
            duration.add_metric([job.name], job.last_seconds)
        for outcome, count in job.recent.items():
            runs.add_metric([job.name, outcome], count)
    yield from (last, failing, runs, duration)
    connections = GaugeMetricFamily(
        "govhall_db_connections", "Database sessions by state (PostgreSQL)", labels=["state"]
    )
    for state, count in snapshot.database.connections.items():
        connections.add_metric([state], count)
    yield connections
    yield _gauge(
        "govhall_db_max_connections", "The server's max_connections", snapshot.database.maximum
    )
    yield _gauge("govhall_db_up", "1 when the database answered", int(snapshot.database.up))
    yield _gauge("govhall_cache_up", "1 when the shared cache answered", snapshot.cache_up)


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, ERRORS, CPU):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
