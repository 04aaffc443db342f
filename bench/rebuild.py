"""Monitoring rebuild (``refresh.rebuild()``) against COPY of the same records, on PostgreSQL.

    python -m bench rebuild [--records 10202000] [--database URL] [--keep] [--legacy]

Runs in a database it may wipe (``--database``, default ``BENCH_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/govhall_bench_rebuild``); it is created if missing.
``--records`` process records (default: the 10,202,000 of the exchange benchmark's
reference run) come from ``govhall.monitoring.services.generator`` (COPY), unless
``--keep`` finds at least that many. Then, in the same run:

* the baseline: the records are copied out to a file once, and that file is loaded with
  ``COPY … FROM`` into an empty table made ``LIKE`` the record table (same columns and
  indexes) in one transaction: records/s of loading the same records;
* ``refresh.rebuild()`` (set-based) over all of them: records/s and its ratio to COPY
  (goal ≥ 0.5);
* with ``--legacy``, the rebuild as it was (``rebuild_incrementally``, the per-chunk
  fold) over the same records, for the before figure (an hour at 10,000,000).

Both rebuilds leave the same facts and roll-ups (compared here by their totals, and
row for row by the test suite).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from .cases import ensure_database, setup_django

GOAL_RATIO = 0.5
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/govhall_bench_rebuild"


def build(records: int, keep: bool) -> None:
    import io

    from django.core.management import call_command
    from django.db import connection

    from govhall.core.models import CalendarYear
    from govhall.monitoring.services import generator
    from govhall.records.models import ProcessRecord
    from govhall.regions.models import Department

    call_command("migrate", verbosity=0)
    if not (Department.objects.exists() and CalendarYear.objects.exists()):
        call_command("load_reference_data", stdout=io.StringIO())
    have = ProcessRecord.objects.count()
    if keep and have >= records:
        print(f"  reusing {have:,} records (--keep)")
        return
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {ProcessRecord._meta.db_table} RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    report = generator.generate(records, source="bench")
    print(f"  generated {report.records:,} records in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def copy_baseline() -> tuple[int, float, str]:
    """(records, seconds, size) of COPY FROM of the records into a fresh table like theirs."""
    from django.db import connection

    from govhall.records.models import ProcessRecord

    table = ProcessRecord._meta.db_table
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "records.copy")
        with (
            connection.cursor() as cursor,
            open(path, "wb") as out,
            cursor.copy(f"COPY {table} TO STDOUT") as copy,
        ):
            for block in copy:
                out.write(block)
        size = os.path.getsize(path)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy_records")
            cursor.execute(f"CREATE TABLE bench_copy_records (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            with (
                open(path, "rb") as source,
                cursor.copy("COPY bench_copy_records FROM STDIN") as copy,
            ):
                while block := source.read(1 << 20):
                    copy.write(block)
            seconds = time.perf_counter() - started
            cursor.execute("SELECT count(*) FROM bench_copy_records")
            copied = cursor.fetchone()[0]
            cursor.execute("DROP TABLE bench_copy_records")
    return copied, seconds, f"{size / 2**30:.2f} GiB"


def totals() -> tuple[int, int, int]:
    from django.db.models import Sum

    from govhall.monitoring.models import CaseFact, MonthlyRollup

    volume = MonthlyRollup.objects.aggregate(v=Sum("volume"))["v"] or 0
    return CaseFact.objects.count(), MonthlyRollup.objects.count(), volume


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench rebuild", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--records", "--count", dest="records", type=int, default=10_202_000,
        help="process records (default 10,202,000)",
    )  # fmt: skip
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
        help="PostgreSQL URL (default: BENCH_DATABASE_URL); the database may be wiped",
    )
    parser.add_argument("--keep", action="store_true", help="reuse previously generated records")
    parser.add_argument("--legacy", action="store_true", help="also time the per-chunk rebuild")
    args = parser.parse_args(argv)
    if not args.database.startswith(("postgres://", "postgresql://")):
        parser.error("the rebuild benchmark needs PostgreSQL: --database or BENCH_DATABASE_URL")
    name = ensure_database(args.database)
    setup_django(args.database, os.path.join(os.getcwd(), "var", f"bench-{name}"))
    from govhall.monitoring.services import refresh

    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"== monitoring rebuild on PostgreSQL, {args.records:,} process records ==")
    print(f"  {os.cpu_count()} CPUs, load average {load} (other work on the machine skews timings)")
    build(args.records, args.keep)
    copied, seconds, size = copy_baseline()
    copy_rate = copied / seconds
    print(f"  baseline: COPY FROM of the same {copied:,} records ({size}) into a table like "
          f"theirs: {seconds:.1f} s, {copy_rate:,.0f} records/s")  # fmt: skip
    started = time.perf_counter()
    folded = refresh.rebuild()
    spent = time.perf_counter() - started
    rate = folded / spent
    facts, rollups, volume = totals()
    print(
        f"  refresh.rebuild() (set-based): {folded:,} records in {spent:.1f} s, "
        f"{rate:,.0f} records/s → {facts:,} facts, {rollups:,} roll-up rows, volume {volume:,}"
    )
    ratio = rate / copy_rate
    verdict = "PASS" if ratio >= GOAL_RATIO else "MISS"
    print(f"  rebuild / COPY = {ratio:.2f}   goal ≥ {GOAL_RATIO}  {verdict}")
    if args.legacy:
        started = time.perf_counter()
        folded = refresh.rebuild_incrementally()
        spent = time.perf_counter() - started
        same = "same totals" if totals() == (facts, rollups, volume) else "DIFFERENT totals"
        print(
            f"  before: the per-chunk rebuild, {folded:,} records in {spent:.1f} s, "
            f"{folded / spent:,.0f} records/s ({folded / spent / copy_rate:.2f} × COPY; {same})"
        )
    print(f"load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
