"""Concurrent clients for the case benchmarks: threads, each with its own connection.

A client is a function that runs once per thread (on that thread's own database
connection) and returns the call to repeat. All clients start together; each call's
latency is kept. ``Waits`` samples ``pg_stat_activity`` meanwhile, to say what the
database sessions were waiting on (row locks, WAL flushes, CPU).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Result:
    clients: int
    samples: list[float] = field(default_factory=list)  # ms per call
    operations: int = 0  # what the calls report doing (e.g. HTTP requests)
    seconds: float = 0.0
    cpu: float = 0.0  # this process's CPU seconds per wall second (1.0 = one core)
    errors: list[str] = field(default_factory=list)
    waits: Counter = field(default_factory=Counter)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95) if self.samples else float("nan")

    @property
    def rate(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0

    @property
    def operation_rate(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0


def run_clients(
    clients: int,
    client: Callable[[int], Callable[[], int]],
    *,
    calls: int | None = None,
    seconds: float | None = None,
    sample_waits: bool = False,
) -> Result:
    """Run ``clients`` threads, each repeating its call ``calls`` times or for ``seconds``."""
    from django.db import connection

    result = Result(clients)
    barrier = threading.Barrier(clients + 1)
    lock = threading.Lock()

    def run(index: int) -> None:
        mine: list[float] = []
        done = 0
        made = call = None
        try:
            made = call = client(index)
            call()  # warm this connection and its caches
        except Exception as exc:
            with lock:
                result.errors.append(f"{type(exc).__name__}: {exc}")
            call = None
        try:
            barrier.wait()
            deadline = time.perf_counter() + (seconds or 0)
            while call is not None:
                if calls is not None and len(mine) >= calls:
                    break
                if seconds is not None and time.perf_counter() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    done += call()
                except Exception as exc:
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                mine.append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()
            getattr(made, "close", lambda: None)()  # e.g. an HTTP client's connection
            with lock:
                result.samples.extend(mine)
                result.operations += done

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    waits = Waits() if sample_waits else None
    cpu_before = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.cpu = (time.process_time() - cpu_before) / result.seconds
    if waits is not None:
        result.waits = waits.stop()
    return result


class Waits:
    """Samples what the other sessions of this database are doing, every 20 ms."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                while self.running:
                    # A row-lock wait is named with the table its statement writes or
                    # locks: that is the hot row's table.
                    cursor.execute(
                        "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') "
                        "|| CASE WHEN wait_event_type = 'Lock' THEN ' on ' || coalesce("
                        "substring(query from '(?:INSERT INTO|UPDATE|FROM) \"?([a-z_0-9]+)'),"
                        " '?') ELSE '' END "
                        "FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state = 'active' AND pid <> pg_backend_pid()"
                    )
                    for (event,) in cursor.fetchall():
                        self.counts[event] += 1
                    self.counts["(samples)"] += 1
                    time.sleep(0.02)
        finally:
            connection.close()

    def stop(self) -> Counter:
        self.running = False
        self.thread.join()
        return self.counts


def describe_waits(waits: Counter, top: int = 5) -> str:
    samples = waits.get("(samples)", 0)
    events = [(e, n) for e, n in waits.most_common() if e != "(samples)"][:top]
    if not samples or not events:
        return "no active sessions sampled"
    busy = sum(n for e, n in waits.items() if e != "(samples)") / samples
    shown = ", ".join(f"{e} {n / samples:.1f}" for e, n in events)
    return f"{busy:.1f} sessions active on average: {shown}"
