"""Process-record exchange and monitoring: ingest throughput, refresh, indicator queries.

    python -m bench exchange [--records 10000000] [--batches 200] [--clients 2]
                             [--runs 7] [--database URL|sqlite] [--keep]
                             [--server gunicorn|runserver] [--layout flat|partitioned]

PostgreSQL is the benchmark: ``--database``, default ``BENCH_DATABASE_URL``, else
``DATABASE_URL`` when it names PostgreSQL (created if missing; reference data and the
demo catalogue loaded once). Without PostgreSQL it runs a small SQLite variant in
``var/bench-exchange/`` (20,000 records unless ``--records`` says otherwise) and skips
the COPY baseline, saying so. Only what the benchmark wrote is removed: records whose
source starts with ``bench`` (the whole table is truncated when it holds nothing else),
and the monitoring facts and roll-ups are rebuilt from what remains.

1. The big set: ``--records`` process records over 24 months of the 21 cities from
   ``govhall.demo.generators.records`` (COPY), unless ``--keep`` finds them.
2. (a) Ingest through the real HTTP API: the app runs as a subprocess (gunicorn with two
   sync workers when installed, else ``manage.py runserver --noreload``), two exchange
   clients — the Jiangmen and Chaozhou branch halls — are registered, each gets a token
   from ``/o/token/`` (client credentials) and POSTs ``--batches`` batches of 1,000
   records between them, concurrently, of cases of their own city that happened in the
   last 11 hours (under their catalogue items when the city has published ones), so the
   quality checks see punctual pushes; records/s over the wall time.
   (b) Baseline in the same run: PostgreSQL ``COPY`` of the same records with fresh
   record ids into the same table, one transaction per 1,000; the ratio (goal ≥ 0.3).
3. ``refresh.rebuild()`` over everything (records/s), then ``refresh()`` after 1,000 new
   records (the incremental case).
4. Indicator queries for the last whole month: the province (its figures and its 21
   city rows) and a city drill-down (Guangzhou: ``units`` and ``department_units``), p50
   of ``--runs`` runs each way: "cold" = the same figures with the case counters
   computed by aggregate queries straight over the process records (which cases
   concluded in the month, their channel and visits), "facts" = the same aggregated over
   ``CaseFact``, and from the roll-ups (``indicators`` after ``refresh``); the three must
   give the same counters. Goals: ≤ 2 s cold, ≤ 100 ms from the roll-ups.

``--layout`` (PostgreSQL) sets the record table before the run with ``manage.py
partition_records``: ``flat`` (one table) or ``partitioned`` (by month); with ``--keep`` the
same records are converted, so two runs give the before and after of partitioning.

The machine has two cores: the server's workers, PostgreSQL and this process's client
threads share them, so the ingest figure is the whole system's.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from base64 import b64encode
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

GOAL_RATIO = 0.3
GOAL_COLD_MS = 2000.0
GOAL_ROLLUP_MS = 100.0
BATCH = 1000
INGEST_CITIES = (
    ("440700", "bench-jiangmen", "江门市网上办事分厅（基准测试）"),
    ("445100", "bench-chaozhou", "潮州市网上办事分厅（基准测试）"),
)
DRILL_CITY = "440100"
SEEDS = {"big": 1, "ingest": 2, "incremental": 4}
BLOCKS = {"ingest": 500, "incremental": 900}  # case-number sequence blocks, apart
SQLITE_RECORDS = 20_000
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Options:
    records: int = 10_000_000
    batches: int = 200
    clients: int = 2
    runs: int = 7
    keep: bool = False
    server: str = ""
    # The clients push at the same time; off only for a server that cannot take two
    # requests at once.
    concurrent: bool = True
    layout: str = ""  # PostgreSQL: "flat" or "partitioned" record table; "" as migrated


@dataclass
class Results:
    """What a run measured (also printed as it goes)."""

    engine: str = ""
    generated_rate: float = 0.0
    ingest_accepted: int = 0
    ingest_rate: float = 0.0
    ingest_p50_ms: float = 0.0
    copy_rate: float | None = None
    copy_skipped: str = ""
    refresh_rate: float = 0.0
    refresh_records: int = 0
    incremental_seconds: float = 0.0
    queries: dict[str, dict[str, float]] = field(default_factory=dict)
    same_counters: bool = False
    lines: list[str] = field(default_factory=list)


def say(results: Results, line: str = "") -> None:
    results.lines.append(line)
    print(line, flush=True)


def p50(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- the environment --------------------------------------------------------------------


def database_from(argument: str | None) -> str:
    if argument:
        return argument
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return "sqlite"


def setup_django(database: str, var_dir: str) -> None:
    from .licences import setup_django as setup

    setup(database, var_dir)


def build(results: Results, *, catalogue: bool) -> None:
    """Schema, reference data and (PostgreSQL) the demo catalogue, each once."""
    import io

    from django.core.management import call_command

    from govhall.catalog.models import Item
    from govhall.core.models import CalendarYear
    from govhall.regions.models import Department

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(results, f"  schema (migrate)               {time.perf_counter() - started:8.1f} s")
    if not (Department.objects.exists() and CalendarYear.objects.exists()):
        started = time.perf_counter()
        call_command("load_reference_data", stdout=io.StringIO())
        say(results, f"  reference data                 {time.perf_counter() - started:8.1f} s")
    if catalogue and not Item.objects.published().exists():
        started = time.perf_counter()
        call_command("load_catalog_demo", stdout=io.StringIO())
        say(results, f"  demo catalogue (once)          {time.perf_counter() - started:8.1f} s")
    analyze()


def set_layout(layout: str) -> None:
    """The record table flat or partitioned by month (``manage.py partition_records``
    [``--undo``]): the before and after of partitioning, on the same data (``--keep``)."""
    import io

    from django.core.management import call_command

    started = time.perf_counter()
    undo = ["--undo"] if layout == "flat" else []
    call_command("partition_records", *undo, stdout=io.StringIO())
    print(f"  record table {layout} {time.perf_counter() - started:8.1f} s")
    analyze()


def analyze() -> None:
    """Fresh planner statistics for every table: PostgreSQL's autovacuum may be off (it is
    on the reference machine), and a catalogue loaded a minute ago must not be planned
    as an empty table."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def server_command(port: int, choice: str = "", workers: int = 2) -> tuple[list[str], str]:
    """gunicorn (sync workers, by default one per core) if installed, else runserver."""
    try:
        import gunicorn  # noqa: F401

        has_gunicorn = True
    except ImportError:
        has_gunicorn = False
    if choice == "gunicorn" and not has_gunicorn:
        raise SystemExit("--server gunicorn: gunicorn is not installed")
    if has_gunicorn and choice != "runserver":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "govhall.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ]
        return command, f"gunicorn, {workers} sync workers"
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "runserver",
        "--noreload",
        "--skip-checks",
        f"127.0.0.1:{port}",
    ]
    return command, "manage.py runserver --noreload (threaded, one process)"


def server_environment() -> dict[str, str]:
    """This process's database and keys, production settings (DEBUG off)."""
    from django.conf import settings

    from govhall.accounts import keys

    var_dir = Path(settings.VAR_DIR)
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=f"bench-exchange-{random.getrandbits(64):016x}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        GOVHALL_FIELD_KEY=keys.field_keys(var_dir, True)[0],
        GOVHALL_BLIND_INDEX_KEY=keys.blind_index_key(var_dir, True),
        GOVHALL_OIDC_RSA_PRIVATE_KEY=keys.oidc_private_key(var_dir, True),
        GOVHALL_OIDC_ALLOW_HTTP="1",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback, no proxy in front
        DATABASE_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """The app as a subprocess, up until ``stop``."""

    def __init__(self, choice: str = "", workers: int = 2, env: dict | None = None) -> None:
        """``env``: variables to set for the server besides ``server_environment``'s."""
        self.port = free_port()
        command, self.description = server_command(self.port, choice, workers)
        self.log = open(Path(os.environ["GOVHALL_VAR_DIR"]) / "bench-server.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**server_environment(), **(env or {})},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait()

    def _wait(self, seconds: float | None = None) -> None:
        # 90 s, longer on a machine shared with other work (BENCH_SERVER_WAIT seconds)
        seconds = seconds or float(os.environ.get("BENCH_SERVER_WAIT", "90"))
        deadline = time.monotonic() + seconds
        path = "/api/v1/exchange/schemas/process-record-1.0.json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"the server exited ({self.process.returncode}); see {self.log.name}"
                )
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"the server did not answer within {seconds:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- the data ----------------------------------------------------------------------------


def is_bench(source_field: str = "source"):
    from django.db.models import Q

    return Q(**{f"{source_field}__startswith": "bench"})


def clear_bench_data() -> str:
    """Remove what earlier runs wrote; the monitoring tables are rebuilt later anyway."""
    from django.db import connection, transaction

    from govhall.monitoring.models import CaseFact, MonthlyRollup, RefreshState
    from govhall.records.models import ProcessRecord

    others = ProcessRecord.objects.exclude(is_bench()).exists()
    with transaction.atomic():
        if connection.vendor == "postgresql" and not others:
            tables = [m._meta.db_table for m in (ProcessRecord, CaseFact, MonthlyRollup)]
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            RefreshState.objects.all().delete()
            return "emptied the record, fact and roll-up tables"
        removed, _ = ProcessRecord.objects.filter(is_bench()).delete()
        for model in (RefreshState, MonthlyRollup, CaseFact):  # rebuilt by the run
            model.objects.all().delete()
    return f"removed {removed:,} earlier benchmark rows; other records kept"


def big_set(options: Options, results: Results) -> None:
    from django.db import connection

    from govhall.demo.generators import records as generator
    from govhall.records.models import ProcessRecord

    have = ProcessRecord.objects.filter(source="bench").count()
    if options.keep and have >= options.records:
        say(results, f"  reusing {have:,} generated records (--keep)")
        ProcessRecord.objects.filter(is_bench()).exclude(source="bench").delete()
        return
    say(results, f"  {clear_bench_data()}")
    from govhall.records.services import partitions

    # A partition per month of the generated window (none on a flat table or SQLite).
    partitions.ensure_months(since=datetime.date.today() - datetime.timedelta(days=800))
    step = max(1_000_000, options.records // 10)
    shown = [0]

    def progress(done: int, seconds: float) -> None:
        if done - shown[0] >= step:
            shown[0] = done
            print(f"    {done:,} records, {done / seconds:,.0f}/s", flush=True)

    report = generator.generate(
        options.records, seed=SEEDS["big"], source="bench", progress=progress
    )
    results.generated_rate = report.rate
    say(
        results,
        f"  generate {report.records:,} records ({report.cases:,} cases, "
        f"{report.cities} cities, {report.departments:,} departments): "
        f"{report.seconds:.1f} s, {report.rate:,.0f} records/s (COPY)"
        if connection.vendor == "postgresql"
        else f"  generate {report.records:,} records ({report.cases:,} cases): "
        f"{report.seconds:.1f} s, {report.rate:,.0f} records/s (executemany)",
    )
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {ProcessRecord._meta.db_table}")
        say(results, f"  vacuum analyze                 {time.perf_counter() - started:8.1f} s")


def data_facts() -> str:
    from django.db import connection

    from govhall.records.models import ProcessRecord

    count = ProcessRecord.objects.count()
    if connection.vendor != "postgresql":
        return f"{count:,} process records"
    with connection.cursor() as cursor:
        cursor.execute(
            # every partition's size (the table itself when it is not partitioned)
            "SELECT pg_size_pretty(coalesce(sum(pg_total_relation_size(relid)), "
            "pg_total_relation_size(%s))) FROM pg_partition_tree(%s)",
            [ProcessRecord._meta.db_table] * 2,
        )
        (size,) = cursor.fetchone()
    from govhall.records.services import partitions

    layout = (
        f"partitioned by month ({len(partitions.months())} partitions)"
        if partitions.is_partitioned()
        else "one table"
    )
    return f"{count:,} process records, {size} with indexes and TOAST, {layout}"


@dataclass
class Feed:
    """One exchange client's records, as request bodies of up to 1,000 records."""

    city: str
    code: str
    name: str
    rows: list = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    note: str = ""


def feeds(options: Options, now: datetime.datetime) -> list[Feed]:
    """The clients' records: cases of their city that happened in the last 11 hours."""
    from govhall.catalog.models import Item
    from govhall.demo.generators import records as generator

    end = generator.local_seconds(now) - 120
    start = end - 11 * 3600
    cities = INGEST_CITIES[: max(1, options.clients)]
    out = []
    for index, (city, code, name) in enumerate(cities):
        share = options.batches // len(cities) + (1 if index < options.batches % len(cities) else 0)
        count = (share + 1) * BATCH  # the first batch warms the server up, untimed
        catalogue = Item.objects.published().filter(region__code__startswith=city[:4]).exists()
        plan = generator.build_plan(
            city_codes=[city], seed=SEEDS["ingest"] + index, catalogue_only=catalogue
        )
        stream = generator.Stream(
            plan,
            count,
            start,
            end,
            SEEDS["ingest"] * 1000 + index,
            block=BLOCKS["ingest"] + 100 * index,
        )
        feed = Feed(city, code, name, [row for rows in stream for row in rows])
        feed.note = "catalogue items" if catalogue else "synthetic codes (no catalogue here)"
        for first in range(0, len(feed.rows), BATCH):
            part = feed.rows[first : first + BATCH]
            body = '{"records":[' + ",".join(row.payload for row in part) + "]}"
            feed.bodies.append(body.encode("utf-8"))
        out.append(feed)
    return out


def register(feed: Feed) -> tuple[str, str]:
    """(client id, secret) of the feed's exchange client, registered once per database."""
    from govhall.exchange.models import ExchangeClient
    from govhall.exchange.services import clients

    client = ExchangeClient.objects.filter(code=feed.code).first()
    if client is None:
        client, secret = clients.register(
            name=feed.name,
            code=feed.code,
            kind=ExchangeClient.Kind.BRANCH_HALL,
            region_codes=[feed.city],
            rate_per_minute=clients.MAX_RATE,
        )
    else:
        secret = clients.rotate_secret(client)
    return client.application.client_id, secret


def token(base_url: str, client_id: str, secret: str) -> str:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    basic = b64encode(f"{client_id}:{secret}".encode()).decode()
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "exchange"})
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    try:
        connection.request("POST", "/o/token/", body, headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"/o/token/ → {response.status}: {data[:300]!r}")
    return json.loads(data)["access_token"]


@dataclass
class Pushed:
    accepted: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def push(base_url: str, bearer: str, bodies: list[bytes], pushed: Pushed) -> None:
    """POST the bodies one after another on one keep-alive connection."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        _push(connection, bearer, bodies, pushed)
    finally:
        connection.close()


def _push(connection, bearer: str, bodies: list[bytes], pushed: Pushed) -> None:
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    for body in bodies:
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/exchange/process-records", body, headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as exc:
            pushed.errors.append(f"{exc.__class__.__name__}: {exc}")
            return
        pushed.latencies.append(time.perf_counter() - started)
        if response.status != 200:
            pushed.errors.append(f"HTTP {response.status}: {data[:300]!r}")
            return
        answer = json.loads(data)
        pushed.accepted += answer["accepted"]
        if answer["rejected"] or answer["duplicates"]:
            first = next(r for r in answer["results"] if r["status"] != "accepted")
            pushed.errors.append(f"not all accepted: {json.dumps(first, ensure_ascii=False)[:300]}")


def ingest(options: Options, results: Results, base_url: str, server: str) -> list[Feed]:
    from django.utils import timezone

    started = time.perf_counter()
    fed = feeds(options, timezone.now())
    timed = sum(len(f.bodies) - 1 for f in fed)
    records = sum(len(f.rows) - BATCH for f in fed)  # the first batch of each is untimed
    say(
        results,
        f"(a) ingest through POST /api/v1/exchange/process-records ({server}); "
        f"{len(fed)} clients {'concurrently' if options.concurrent else 'one after the other'}, "
        f"{timed} timed batches of {BATCH:,} "
        f"(prepared in {time.perf_counter() - started:.1f} s):",
    )
    for feed in fed:
        say(
            results,
            f"  {feed.code}: {len(feed.rows):,} records of "
            f"{len({r.case_number for r in feed.rows}):,} cases of {feed.city} in the "
            f"last 11 hours, {feed.note}",
        )
    mix = Counter(row.message_type for feed in fed for row in feed.rows)
    total = sum(mix.values())
    shares = ", ".join(f"{kind} {count / total:.0%}" for kind, count in sorted(mix.items()))
    say(results, f"  message types: {shares} (early steps dominate: 11 hours of cases)")
    tokens = []
    for feed in fed:
        client_id, secret = register(feed)
        tokens.append(token(base_url, client_id, secret))
    warm = [Pushed() for _ in fed]
    for feed, bearer, pushed in zip(fed, tokens, warm, strict=True):
        push(base_url, bearer, feed.bodies[:1], pushed)
        if pushed.errors:
            raise SystemExit(f"{feed.code} warm-up batch: {pushed.errors[0]}")
    outcomes = [Pushed() for _ in fed]
    threads = [
        threading.Thread(target=push, args=(base_url, bearer, feed.bodies[1:], pushed))
        for feed, bearer, pushed in zip(fed, tokens, outcomes, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
        if not options.concurrent:
            thread.join()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    errors = [e for o in outcomes for e in o.errors]
    if errors:
        raise SystemExit(f"ingest failed: {errors[0]}")
    accepted = sum(o.accepted for o in outcomes)
    if accepted != records:
        raise SystemExit(f"ingest: {accepted:,} accepted of {records:,}")
    latencies = sorted(x for o in outcomes for x in o.latencies)
    results.ingest_accepted = accepted
    results.ingest_rate = accepted / seconds
    results.ingest_p50_ms = p50(latencies) * 1000
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))] * 1000
    say(
        results,
        f"  {accepted:,} records accepted in {seconds:.1f} s: "
        f"{results.ingest_rate:,.0f} records/s; per batch p50 "
        f"{results.ingest_p50_ms:,.0f} ms, p95 {p95:,.0f} ms",
    )
    return fed


def copy_baseline(results: Results, fed: list[Feed]) -> None:
    """COPY of the same records with fresh ids into the same table, 1,000 a transaction."""
    from django.db import connection, transaction

    from govhall.demo.generators import records as generator
    from govhall.records.models import ProcessRecord

    if connection.vendor != "postgresql":
        results.copy_skipped = "SQLite has no COPY (PostgreSQL only); no ratio on SQLite"
        say(results, f"(b) COPY baseline: skipped — {results.copy_skipped}")
        return
    ids = random.Random("bench-copy")
    now = generator.local_seconds(datetime.datetime.now(datetime.UTC))
    texts = []
    for feed in fed:
        rows = feed.rows[BATCH:]  # the timed ones
        for first in range(0, len(rows), BATCH):
            lines = []
            for row in rows[first : first + BATCH]:
                fresh = generator._uuid(ids)
                payload = row.payload.replace(row.record_id, fresh)
                copy = generator.Row(**{**row.__dict__, "record_id": fresh, "payload": payload})
                lines.append(generator.copy_line(copy, "bench-copy", now))
            texts.append((len(lines), "".join(lines)))
    columns = ", ".join(generator.COLUMNS)
    sql = f"COPY {ProcessRecord._meta.db_table} ({columns}) FROM STDIN"
    started = time.perf_counter()
    for _count, text in texts:
        with transaction.atomic(), connection.cursor() as cursor, cursor.copy(sql) as copy:
            copy.write(text)
    seconds = time.perf_counter() - started
    copied = sum(count for count, _ in texts)
    results.copy_rate = copied / seconds
    ProcessRecord.objects.filter(source="bench-copy").delete()  # the same cases twice otherwise
    ratio = results.ingest_rate / results.copy_rate
    say(
        results,
        f"(b) baseline: COPY of the same {copied:,} records (fresh record ids), {BATCH:,} "
        f"per transaction: {seconds:.1f} s, {results.copy_rate:,.0f} records/s",
    )
    say(
        results,
        f"  ingest / COPY = {ratio:.2f}   goal ≥ {GOAL_RATIO}  {verdict(ratio >= GOAL_RATIO)}",
    )


def planner_estimate(results: Results) -> None:
    """PostgreSQL's idea of how many case numbers there are, against the facts': the
    plans of the refresh's and the cold path's case-number lookups follow it."""
    from django.db import connection

    from govhall.monitoring.models import CaseFact
    from govhall.records.models import ProcessRecord

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_distinct FROM pg_stats WHERE tablename = %s AND attname = 'case_number'",
            [ProcessRecord._meta.db_table],
        )
        found = cursor.fetchone()
    if not found:
        return
    estimate = found[0] if found[0] >= 0 else -found[0] * ProcessRecord.objects.count()
    say(
        results,
        f"  planner's estimate of distinct case numbers: {estimate:,.0f} "
        f"(the facts count {CaseFact.objects.count():,} cases)",
    )


def refresh_timings(results: Results) -> None:
    from django.db import transaction
    from django.utils import timezone

    from govhall.demo.generators import records as generator
    from govhall.monitoring.services import refresh

    print("  refresh.rebuild() over everything …", flush=True)
    started = time.perf_counter()
    folded = refresh.rebuild()
    seconds = time.perf_counter() - started
    results.refresh_records, results.refresh_rate = folded, folded / seconds
    from govhall.monitoring.models import CaseFact, MonthlyRollup

    say(
        results,
        f"(c) refresh.rebuild() over all {folded:,} records: {seconds:.1f} s, "
        f"{results.refresh_rate:,.0f} records/s → {CaseFact.objects.count():,} case "
        f"facts, {MonthlyRollup.objects.count():,} roll-up rows",
    )
    if results.copy_rate:
        ratio = results.refresh_rate / results.copy_rate
        say(
            results,
            f"  rebuild / COPY = {ratio:.2f} (COPY of the ingest records above; goal ≥ 0.5 "
            f"{verdict(ratio >= 0.5)}; python -m bench rebuild compares the same records)",
        )
    planner_estimate(results)
    now = generator.local_seconds(timezone.now())
    plan = generator.build_plan(seed=SEEDS["incremental"])
    stream = generator.Stream(
        plan, 1000, now - 6 * 3600, now - 60, SEEDS["incremental"], block=BLOCKS["incremental"]
    )
    rows = [row for case in stream for row in case]
    with transaction.atomic():
        generator.write_rows(rows, "bench-incremental")
    started = time.perf_counter()
    folded = refresh.refresh()
    results.incremental_seconds = time.perf_counter() - started
    say(
        results,
        f"  refresh() after {len(rows):,} new records: folded {folded:,} in "
        f"{results.incremental_seconds * 1000:,.0f} ms "
        f"({folded / results.incremental_seconds:,.0f} records/s)",
    )


# --- the indicator queries --------------------------------------------------------------

COUNTER_SQL = """
    COUNT(*),
    SUM(CASE WHEN channel IN ('online', 'mobile') THEN 1 ELSE 0 END),
    SUM(CASE WHEN channel = 'mobile' THEN 1 ELSE 0 END),
    SUM(CASE WHEN channel IN ('online', 'mobile') AND visits <= 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN visits = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN visits = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN visits = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN visits >= 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN channel IN ('online', 'mobile') AND visits = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN channel IN ('online', 'mobile') AND visits = 1 THEN 1 ELSE 0 END)
"""


def _derived(values) -> dict[str, int]:
    """Counters by name (from a mapping, or values in ``COUNTERS`` order) and the derived
    ``online_visits_le1``."""
    from govhall.monitoring.services.refresh import COUNTERS

    if isinstance(values, dict):
        values = [values.get(name) for name in COUNTERS]
    counts = {name: int(value or 0) for name, value in zip(COUNTERS, values, strict=True)}
    counts["online_visits_le1"] = counts["online_visits_0"] + counts["online_visits_1"]
    return counts


def _month_bounds(s) -> tuple[datetime.datetime, datetime.datetime]:
    from govhall.demo.generators.records import SHANGHAI

    first = datetime.datetime(s.first_month.year, s.first_month.month, 1, tzinfo=SHANGHAI)
    index = s.last_month.year * 12 + s.last_month.month
    after = datetime.datetime(index // 12, index % 12 + 1, 1, tzinfo=SHANGHAI)
    return first, after


def _where(s) -> tuple[str, list]:
    from govhall.monitoring.models import TargetScope

    if s.level:
        raise ValueError("the cold path does not filter by level")
    if s.department_code:
        return "department_code = %s", [s.department_code]
    if s.scope == TargetScope.DEPARTMENTS:
        return "region_code = %s", [s.region_code]
    return "region_code LIKE %s", [s.prefix + "%"]


def records_grouped(s, key: str | None) -> dict[str, dict[str, int]]:
    """Cold: the case counters of a slice straight from the process records, as the
    refresh folds them — a case counts in the month of its (last) conclusion, its channel
    is the application's, its visits the most any record says — grouped by ``key``
    (``region_code``, ``department_code`` or None for one total)."""
    from django.db import connection

    from govhall.catalog.models import Item
    from govhall.records.models import ProcessRecord
    from govhall.records.services import bounds, partitions

    records = ProcessRecord._meta.db_table
    items = Item._meta.db_table
    first, after = _month_bounds(s)
    where, params = _where(s)
    group = key or "'all'"
    # A case's records from its earliest possible month on (records.services.bounds),
    # the rule the refresh reads cases by. On a partitioned table the earliest bound of
    # the month's concluded cases is read first and given as a constant, so the planner
    # leaves the older months out of the plan (a bound per case alone is not used to
    # prune by a hash join, and pruning per case in a nested loop costs more than it
    # saves). On one table the constant only turns the nested loop over the case-number
    # index into a hash join over the months' range (2.1 s against 0.4 s): left out.
    own_bound = bounds.earliest_sql("case_number", connection.vendor)
    case_bound = bounds.earliest_sql("c.case_number", connection.vendor)
    floor, floor_args = "", []
    if partitions.is_partitioned():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT CAST(MIN(b) AS text) FROM (SELECT {own_bound} AS b FROM {records} "
                f"WHERE event = 'conclude' AND occurred_at >= %s AND occurred_at < %s "
                f"AND {where}) bounded",
                [first, after, *params],
            )
            (earliest,) = cursor.fetchone()
        if earliest is None:
            return {}
        # and the concluded cases' numbers as one array, read by each month's case-number
        # index (186–200 ms against 240–258 for a hash join over those months' rows, the
        # same counters; ninth pass)
        floor = (
            "WHERE r.occurred_at >= CAST(%s AS timestamptz) "
            "AND r.case_number = ANY(ARRAY(SELECT case_number FROM concluded))"
        )
        floor_args = [earliest]
    sql = f"""
        WITH concluded AS (
            SELECT DISTINCT case_number, implementation_code FROM {records}
            WHERE event = 'conclude' AND occurred_at >= %s AND occurred_at < %s AND {where}
              AND occurred_at >= {own_bound}
        ), cases AS (
            SELECT r.case_number, r.implementation_code,
                   MAX(r.region_code) AS region_code,
                   MAX(r.department_code) AS department_code,
                   COALESCE(MAX(CASE WHEN r.message_type = '0' THEN r.channel END),
                            MAX(r.channel)) AS channel,
                   MAX(r.visits) AS visits,
                   MAX(CASE WHEN r.event = 'conclude' THEN r.occurred_at END) AS concluded_at
            FROM {records} r
            JOIN concluded c ON c.case_number = r.case_number
                            AND c.implementation_code = r.implementation_code
                            AND r.occurred_at >= {case_bound}
            {floor}
            GROUP BY r.case_number, r.implementation_code
        )
        SELECT {group}, {COUNTER_SQL}
        FROM cases LEFT JOIN {items} i ON i.implementation_code = cases.implementation_code
        WHERE concluded_at >= %s AND concluded_at < %s AND {where}
          AND COALESCE(i.item_type, SUBSTR(cases.implementation_code, 19, 2)) = %s
        {f"GROUP BY {key}" if key else ""}
    """
    arguments = [first, after, *params, *floor_args, first, after, *params, s.item_type]
    if not s.item_type:
        sql = sql.replace(
            "AND COALESCE(i.item_type, SUBSTR(cases.implementation_code, 19, 2)) = %s", ""
        )
        arguments.pop()
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return {row[0]: _derived(row[1:]) for row in cursor.fetchall() if row[1]}


def facts_grouped(s, key: str | None) -> dict[str, dict[str, int]]:
    """The same counters aggregated over ``CaseFact`` (one row per case, no roll-ups)."""
    from django.db.models import Count, Q

    from govhall.monitoring.models import CaseFact
    from govhall.monitoring.services import indicators

    online = Q(channel__in=("online", "mobile"))
    conditions = {
        "volume": Q(),
        "online_applied": online,
        "mobile_applied": Q(channel="mobile"),
        "fully_online": online & Q(visits__lte=1),
        "visits_0": Q(visits=0),
        "visits_1": Q(visits=1),
        "visits_2": Q(visits=2),
        "visits_3p": Q(visits__gte=3),
        "online_visits_0": online & Q(visits=0),
        "online_visits_1": online & Q(visits=1),
    }
    aggregates = {name: Count("pk", filter=q) for name, q in conditions.items()}
    facts = CaseFact.objects.filter(indicators._rollup_filter(s), month__isnull=False)
    if key is None:
        row = facts.aggregate(**aggregates)
        return {"all": _derived(row)} if row["volume"] else {}
    rows = facts.values(key).annotate(**aggregates).order_by()
    return {row[key]: _derived(row) for row in rows}


def province_view(s, grouped) -> list[tuple[str, dict]]:
    """The province's figures and its rows (own departments, then each city), with the
    case counters from ``grouped``; everything else as the dashboard computes it
    (``indicators.overview``)."""
    from govhall.monitoring.services import indicators

    own, units = indicators.overview(s, counts_by_region=grouped(s, "region_code"))
    return [("total", own), *_keyed(units)]


def _keyed(units) -> list[tuple[str, dict]]:
    return [
        (f"{unit.code}:departments" if unit.kind == "departments" else unit.code, unit.figures)
        for unit in units
    ]


def city_view(s, grouped) -> list[tuple[str, dict]]:
    """A city's rows (as ``units``) and its departments (as ``department_units``), with
    the case counters from ``grouped``."""
    from govhall.monitoring.models import TargetScope
    from govhall.monitoring.services import indicators

    _own, units = indicators.overview(s, counts_by_region=grouped(s, "region_code"))
    own_level = s.with_region(s.region_code, TargetScope.DEPARTMENTS)
    by_department = grouped(own_level, "department_code")
    departments = indicators.department_units(s, counts_by_department=by_department)
    return _keyed(units) + [(unit.code, unit.figures) for unit in departments]


def rollup_province(s) -> list[tuple[str, dict]]:
    from govhall.monitoring.services import indicators

    own, units = indicators.overview(s)
    return [("total", own), *_keyed(units)]


def rollup_city(s) -> list[tuple[str, dict]]:
    from govhall.monitoring.services import indicators

    units = _keyed(indicators.units(s))
    return units + [(unit.code, unit.figures) for unit in indicators.department_units(s)]


def case_numbers(view: list[tuple[str, dict]]) -> list[tuple]:
    """What must agree between the paths: every row's case-based numerators and
    denominators."""
    from govhall.monitoring.services.indicators import CASE_RATIOS

    return [
        (key, indicator, figures[indicator].numerator, figures[indicator].denominator)
        for key, figures in view
        for indicator in CASE_RATIOS
    ]


def timed(function, runs: int) -> tuple[float, object]:
    spent, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        spent.append((time.perf_counter() - started) * 1000)
    return p50(spent), result


def last_whole_month() -> datetime.date:
    from django.utils import timezone

    today = timezone.localdate()
    index = today.year * 12 + today.month - 2
    return datetime.date(index // 12, index % 12 + 1, 1)


def queries(options: Options, results: Results) -> None:
    from govhall.monitoring.services import indicators
    from govhall.monitoring.services.indicators import Slice
    from govhall.regions.models import Region

    month = last_whole_month()
    province = Slice.month(month.year, month.month, region_code="440000")
    city = Slice.month(month.year, month.month, region_code=DRILL_CITY)
    name = Region.objects.get(code=DRILL_CITY).name
    runs = options.runs
    views = {
        "province": {
            "records (cold)": lambda: province_view(province, records_grouped),
            "facts": lambda: province_view(province, facts_grouped),
            "roll-ups": lambda: rollup_province(province),
        },
        "city": {
            "records (cold)": lambda: city_view(city, records_grouped),
            "facts": lambda: city_view(city, facts_grouped),
            "roll-ups": lambda: rollup_city(city),
        },
    }
    counters_only = {
        "records (cold)": lambda: records_grouped(province, "region_code"),
        "facts": lambda: facts_grouped(province, "region_code"),
        "roll-ups": lambda: indicators.counters(province),
    }
    say(
        results,
        f"(c) indicator queries for {month:%Y-%m}, p50 of {runs} runs, ms "
        "(cold = case counters by aggregate queries over the process records):",
    )
    say(results, f"  {'':<44} {'records (cold)':>14} {'facts':>9} {'roll-ups':>9}")
    same = True
    for label, view in views.items():
        figures = {}
        for path, function in view.items():
            spent, result = timed(function, runs)
            results.queries.setdefault(label, {})[path] = spent
            figures[path] = case_numbers(result)
        same &= figures["records (cold)"] == figures["facts"] == figures["roll-ups"]
        rows = len(figures["roll-ups"]) // 4
        title = (
            f"province: figures + {rows - 1} rows (units)"
            if label == "province"
            else f"{name}: units + department_units ({rows} rows)"
        )
        q = results.queries[label]
        say(
            results,
            f"  {title:<44} {q['records (cold)']:14.1f} {q['facts']:9.1f} {q['roll-ups']:9.1f}",
        )
    spent = {path: timed(function, runs)[0] for path, function in counters_only.items()}
    results.queries["counters"] = spent
    say(
        results,
        f"  {'  of which the province case counters alone':<44} "
        f"{spent['records (cold)']:14.1f} {spent['facts']:9.1f} {spent['roll-ups']:9.1f}",
    )
    results.same_counters = same
    say(
        results,
        f"  the three paths give the same numerators and denominators: {'yes' if same else 'NO'}",
    )
    views = [q for k, q in results.queries.items() if k != "counters"]
    cold = max(q["records (cold)"] for q in views)
    facts = max(q["facts"] for q in views)
    warm = max(q["roll-ups"] for q in views)
    say(
        results,
        f"  goals: cold ≤ {GOAL_COLD_MS:.0f} ms: over the records {verdict(cold <= GOAL_COLD_MS)} "
        f"(slowest {cold:,.0f} ms), over the facts {verdict(facts <= GOAL_COLD_MS)} "
        f"(slowest {facts:,.0f} ms); roll-ups ≤ {GOAL_ROLLUP_MS:.0f} ms "
        f"{verdict(warm <= GOAL_ROLLUP_MS)} (slowest {warm:,.0f} ms)",
    )


# --- the run -----------------------------------------------------------------------------


def run(options: Options, base_url: str | None = None) -> Results:
    """Everything after the database is ready: with ``base_url`` the server is the
    caller's (the test suite's live server), else one is started here."""
    from django.db import connection

    results = Results(engine="PostgreSQL" if connection.vendor == "postgresql" else "SQLite")
    big_set(options, results)
    say(results, f"  data: {data_facts()}")
    server = None
    if base_url is None:
        server = Server(options.server)
        base_url, description = server.url, server.description
    else:
        description = f"server at {base_url}"
    try:
        fed = ingest(options, results, base_url, description)
    finally:
        if server is not None:
            server.stop()
    copy_baseline(results, fed)
    refresh_timings(results)
    queries(options, results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench exchange", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--records",
        "--count",  # the name every benchmark knows (python -m bench --count N)
        dest="records",
        type=int,
        help="records in the big set (10,000,000; 20,000 on SQLite)",
    )
    parser.add_argument("--batches", type=int, default=200, help="timed batches of 1,000")
    parser.add_argument("--clients", type=int, default=2, choices=(1, 2), help="exchange clients")
    parser.add_argument("--runs", type=int, default=7, help="runs per query timing")
    parser.add_argument("--database", help="PostgreSQL URL or sqlite (see above)")
    parser.add_argument("--keep", action="store_true", help="reuse the generated big set")
    parser.add_argument("--server", choices=("gunicorn", "runserver"), default="")
    parser.add_argument(
        "--layout",
        choices=("flat", "partitioned"),
        default="",
        help="PostgreSQL: the record table as one table (records.0002 unapplied) or "
        "partitioned by month (applied; the default after migrate)",
    )
    args = parser.parse_args(argv)
    database = database_from(args.database)
    if database == "sqlite":
        records = args.records or SQLITE_RECORDS
        var_dir = os.path.join(ROOT, "var", "bench-exchange")
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        os.makedirs(var_dir, exist_ok=True)
        engine = "SQLite (the small variant: no COPY baseline)"
    elif database.startswith(("postgres://", "postgresql://")):
        from .cases import ensure_database

        records = args.records or 10_000_000
        name = ensure_database(database)
        var_dir = os.path.join(ROOT, "var", f"bench-{name}")
        os.makedirs(var_dir, exist_ok=True)
        engine = "PostgreSQL"
    else:
        parser.error("--database must be sqlite or a postgres:// URL")
    if records < 1000 or args.batches < 1 or args.runs < 1:
        parser.error("--records ≥ 1000, --batches ≥ 1 and --runs ≥ 1")
    options = Options(records, args.batches, args.clients, args.runs, args.keep, args.server)
    options.layout = args.layout
    started = time.perf_counter()
    setup_django(database, var_dir)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"== exchange and monitoring benchmark on {engine}, {records:,} records ==")
    print(f"  {os.cpu_count()} CPUs, load average {load} (other work on the machine skews timings)")
    results = Results()
    build(results, catalogue=engine == "PostgreSQL")
    if options.layout and engine == "PostgreSQL":
        set_layout(options.layout)
    run(options, None)
    if records < 10_000_000:
        print(f"(the query goals are defined for 10,000,000 records; this run had {records:,})")
    print(
        f"whole run {time.perf_counter() - started:.0f} s; "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
