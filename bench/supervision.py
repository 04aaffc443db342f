"""Supervision's periodic time scan over many open cases, against one plain SQL query.

    python -m bench supervision [--cases 1000000] [--runs 3] [--database URL]

PostgreSQL only (``--database``, else ``BENCH_DATABASE_URL``, else a PostgreSQL
``DATABASE_URL``; the database is created when missing, reference data loaded once).

1. ``--cases`` open cases of the 21 cities' departments written into ``CaseWatch`` with
   COPY (case numbers starting ``BS``; earlier bench rows and their cards are removed
   first): promised limits spread over the next 60 days with 1 % already past, 2 %
   suspended, 0.5 % applied 8–12 days ago and never accepted.
2. The first ``scan()`` — it raises the cards (each with its trail and audit entry).
3. The steady state: ``scan()`` again, nothing new to raise, p50 of ``--runs`` runs.
   Goal: ≤ 5 s at 1,000,000 open cases.
4. Baseline in the same run: one plain SQL query that classifies every open,
   unsuspended case against the seeded thresholds (promised and statutory limits within
   a working day or passed, acceptance overdue) — what a hand-written scan would read;
   p50 of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

PREFIX = "BS"


def database_from(argument: str | None) -> str:
    if argument:
        return argument
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    raise SystemExit("supervision: PostgreSQL only; set BENCH_DATABASE_URL or --database")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    var_dir = Path("var/bench-supervision").resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["GOVHALL_VAR_DIR"] = str(var_dir)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def build() -> None:
    from django.core.management import call_command

    from govhall.core.models import CalendarYear
    from govhall.regions.models import Department

    call_command("migrate", verbosity=0)
    if not (Department.objects.exists() and CalendarYear.objects.exists()):
        call_command("load_reference_data", stdout=io.StringIO())


def clear() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM supervision_warningstep WHERE warning_id IN "
            "(SELECT id FROM supervision_warning WHERE case_number LIKE %s)",
            [PREFIX + "%"],
        )
        cursor.execute("DELETE FROM supervision_warning WHERE case_number LIKE %s", [PREFIX + "%"])
        cursor.execute(
            "DELETE FROM supervision_casewatch WHERE case_number LIKE %s", [PREFIX + "%"]
        )


def write_cases(count: int) -> float:
    from django.db import connection
    from django.utils import timezone

    from govhall.regions.models import Department

    departments = list(
        Department.objects.filter(region__level__in=["city", "county"], is_active=True).values_list(
            "credit_code", "region_id", "name"
        )[:2000]
    )
    rng = random.Random(16)
    today = timezone.localdate()
    now = timezone.now()
    started = time.perf_counter()
    columns = (
        "case_number, implementation_code, item_name, region_code, department_code, "
        "department_name, source, state, is_open, applied_at, accepted_at, closed_at, "
        "promised_due, statutory_due, last_record_id, promised_stage, statutory_stage, "
        "acceptance_flagged, time_dirty"
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY supervision_casewatch ({columns}) FROM STDIN") as copy,
    ):
        for n in range(count):
            credit, region, name = departments[n % len(departments)]
            roll = rng.random()
            state = "suspended" if roll < 0.02 else "in_progress"
            if roll > 0.995:
                applied = now - datetime.timedelta(days=rng.randint(8, 12))
                accepted = None
            else:
                applied = now - datetime.timedelta(days=rng.randint(1, 20))
                accepted = applied + datetime.timedelta(hours=2)
            promised = today + datetime.timedelta(
                days=-rng.randint(1, 5) if rng.random() < 0.01 else rng.randint(0, 60)
            )
            statutory = promised + datetime.timedelta(days=10)
            copy.write_row(
                (
                    f"{PREFIX}{n:012d}",
                    f"{credit}XK00000001",
                    "基准事项",
                    region,
                    credit,
                    name,
                    "bench",
                    state,
                    True,
                    applied,
                    accepted,
                    None,
                    promised,
                    statutory,
                    0,
                    0,
                    0,
                    False,
                    False,
                )
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE supervision_casewatch")
    return time.perf_counter() - started


BASELINE = """
SELECT count(*) FILTER (WHERE promised_due <= %(horizon)s),
       count(*) FILTER (WHERE promised_due < %(today)s),
       count(*) FILTER (WHERE statutory_due <= %(horizon)s),
       count(*) FILTER (WHERE accepted_at IS NULL AND applied_at < %(accept_before)s)
FROM supervision_casewatch
WHERE is_open AND state <> 'suspended'
  AND (promised_due <= %(horizon)s OR statutory_due <= %(horizon)s
       OR (accepted_at IS NULL AND applied_at < %(accept_before)s))
"""


def baseline(today: datetime.date) -> tuple[float, tuple]:
    from django.db import connection
    from django.utils import timezone

    from govhall.core.services import calendar

    started = time.perf_counter()
    horizon = calendar.add_working_days(today, 1).due_date
    # The candidate bound of the scan: applied more than 5 (the seeded SX01) days ago.
    accept_before = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=5), datetime.time())
    )
    with connection.cursor() as cursor:
        cursor.execute(
            BASELINE, {"horizon": horizon, "today": today, "accept_before": accept_before}
        )
        row = cursor.fetchone()
    return time.perf_counter() - started, row


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench supervision")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database")
    options = parser.parse_args(argv)
    url = database_from(options.database)
    ensure_database(url)
    setup(url)
    build()
    from django.utils import timezone

    from govhall.supervision.models import Warning
    from govhall.supervision.services import detection

    clear()
    written = write_cases(options.cases)
    print(f"supervision scan: {options.cases:,} open cases written by COPY in {written:.1f} s")
    today = timezone.localdate()
    started = time.perf_counter()
    first = detection.scan(today)
    first_seconds = time.perf_counter() - started
    raised = Warning.objects.filter(case_number__startswith=PREFIX).count()
    print(
        f"  first scan (raising)      {first_seconds:8.2f} s  raised {first['raised']:,}"
        f" ({raised:,} cards on bench cases)"
    )
    steady = []
    for _ in range(options.runs):
        started = time.perf_counter()
        again = detection.scan(today)
        steady.append(time.perf_counter() - started)
        assert again["raised"] == 0, again
    base = [baseline(today) for _ in range(options.runs)]
    steady_p50 = statistics.median(steady)
    base_p50 = statistics.median(seconds for seconds, _ in base)
    print(
        f"  steady scan (p50 of {options.runs})   {steady_p50:8.2f} s  goal ≤ 5 s: "
        f"{'PASS' if steady_p50 <= 5 else 'MISS'}"
    )
    print(f"  plain SQL baseline (p50)  {base_p50:8.2f} s  counts {base[0][1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
