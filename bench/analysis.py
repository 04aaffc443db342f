"""The analysis store: export rate against reading the same rows, and a province-month
query on Parquet against the same query on PostgreSQL, in the same run.

    python -m bench analysis [--records 1000000] [--runs 5] [--database URL] [--keep]

Runs in a PostgreSQL database it may wipe (``--database``, default
``BENCH_DATABASE_URL``, else ``postgres://postgres@127.0.0.1:5432/govhall_bench_analysis``),
created if missing; reference data loaded once. ``--records`` process records over 24
months of the 21 cities come from ``govhall.demo.generators.records`` (COPY), unless
``--keep`` finds them; the monitoring facts are rebuilt from them.

1. Baseline: the columns the export writes (with the applicant's blind index out of the
   payload), read from PostgreSQL through the same Django query, all rows, in the same
   chunks — rows/s.
2. The export: ``export_records`` into a fresh store under the bench's var directory
   (read + pseudonymise + write Parquet partitioned by month and city) — rows/s, ratio to
   the read; then ``export_cases`` (every fact partition), and the store's size on disk.
3. The province-month query (``examples.PROVINCE_MONTH``: per city, conclusions, online
   ones, zero-visit ones, applications and records of one month) for the last whole
   month: DuckDB over the Parquet store against the same aggregate in SQL on the record
   table (month bounds in the hall's time zone), p50 of ``--runs`` each, both on an open
   connection (DuckDB's connect and view creation reported beside); the two must give
   the same rows. The store's file count is printed: every export chunk writes a file
   per month and city it touches.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import shutil
import statistics
import time

from .cases import ensure_database, setup_django

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/govhall_bench_analysis"
SOURCE = "bench-analysis"

POSTGRES_PROVINCE_MONTH = """
SELECT substr(region_code, 1, 4) || '00' AS city,
       count(*) FILTER (WHERE event = 'conclude'),
       count(*) FILTER (WHERE event = 'conclude' AND channel IN ('online', 'mobile')),
       count(*) FILTER (WHERE event = 'conclude' AND visits = 0),
       count(*) FILTER (WHERE message_type = '0'),
       count(*)
FROM records_processrecord
WHERE occurred_at >= %s AND occurred_at < %s
GROUP BY 1 ORDER BY 1
"""


def p50(values):
    return statistics.median(values)


def build(records: int, keep: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from govhall.core.models import CalendarYear
    from govhall.demo.generators import records as generator
    from govhall.monitoring.services import refresh
    from govhall.records.models import ProcessRecord
    from govhall.records.services import partitions
    from govhall.regions.models import Department

    call_command("migrate", verbosity=0)
    if not (Department.objects.exists() and CalendarYear.objects.exists()):
        call_command("load_reference_data", stdout=io.StringIO())
    have = ProcessRecord.objects.count()
    if keep and have >= records:
        print(f"  reusing {have:,} records (--keep)")
        return
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE records_processrecord, records_outboxmessage RESTART IDENTITY")
    partitions.ensure_months(since=datetime.date.today() - datetime.timedelta(days=800))
    report = generator.generate(records, seed=7, source=SOURCE)
    print(
        f"  generated {report.records:,} records ({report.cases:,} cases) in {report.seconds:.0f} s"
    )
    started = time.perf_counter()
    refresh.rebuild()
    print(f"  monitoring facts rebuilt in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def read_baseline(chunk: int) -> tuple[int, float]:
    from django.db.models import Max

    from govhall.analysis.services import export
    from govhall.records.models import ProcessRecord

    top = ProcessRecord.objects.aggregate(last=Max("pk"))["last"] or 0
    started = time.perf_counter()
    last, total = 0, 0
    while True:
        rows = export.record_rows(last, top, chunk)
        if not rows:
            break
        total += len(rows)
        last = rows[-1][0]
    return total, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench analysis", description=__doc__)
    parser.add_argument("--records", "--count", dest="records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--database")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    database = args.database or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE
    name = ensure_database(database)
    root = os.path.join(os.getcwd(), "var", f"bench-{name}")
    os.makedirs(root, exist_ok=True)
    setup_django(database, root)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"== analysis store benchmark on PostgreSQL, {args.records:,} records ==")
    print(f"  {os.cpu_count()} CPUs, load average {load} (other work on the machine skews timings)")
    build(args.records, args.keep)

    from django.conf import settings
    from django.db import connection

    from govhall.analysis.models import ExportState
    from govhall.analysis.services import examples, export, store
    from govhall.records.services import partitions

    layout = "partitioned by month" if partitions.is_partitioned() else "one table"
    print(f"  record table: {layout}")
    directory = os.path.join(root, "analysis")
    shutil.rmtree(directory, ignore_errors=True)
    settings.GOVHALL_ANALYSIS_DIR = directory
    ExportState.objects.all().delete()

    rows, seconds = read_baseline(args.chunk)
    read_rate = rows / seconds
    print(f"  read from PostgreSQL   {rows:>12,} rows {seconds:8.1f} s {read_rate:>10,.0f} rows/s")
    started = time.perf_counter()
    written = export.export_records(chunk=args.chunk)
    seconds = time.perf_counter() - started
    rate = written / seconds
    print(f"  export to Parquet      {written:>12,} rows {seconds:8.1f} s {rate:>10,.0f} rows/s")
    print(f"  export / read: {rate / read_rate:.2f}×")
    started = time.perf_counter()
    partitions_written, facts = export.export_cases()
    print(
        f"  case facts             {facts:>12,} rows {time.perf_counter() - started:8.1f} s "
        f"({partitions_written} month × city partitions)"
    )
    size = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(directory) for f in files
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(relid)), "
            "pg_total_relation_size('records_processrecord')) "
            "FROM pg_partition_tree('records_processrecord')"
        )
        (pg_size,) = cursor.fetchone()
    files = sum(len(f) for _, _, f in os.walk(directory))
    print(
        f"  store on disk {size / 2**20:,.0f} MiB in {files:,} files; "
        f"record table in PostgreSQL {pg_size / 2**20:,.0f} MiB"
    )

    today = datetime.date.today().replace(day=1)
    month = (today - datetime.timedelta(days=1)).replace(day=1)
    start, end = partitions.bounds(month)
    label = f"{month:%Y-%m}"
    pg_times, duck_times, connect_times = [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_PROVINCE_MONTH, [start, end])
            pg_rows = cursor.fetchall()
        pg_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        con = store.connect(directory)
        connect_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        duck_rows = examples.province_month(con, label)
        duck_times.append(time.perf_counter() - started)
        con.close()
    same = [tuple(r) for r in pg_rows] == [tuple(r) for r in duck_rows]
    records_in_month = sum(r[5] for r in pg_rows)
    print(f"  province-month query, {label}: {len(pg_rows)} cities, {records_in_month:,} records")
    print(f"    PostgreSQL           p50 {p50(pg_times) * 1000:8.1f} ms")
    print(
        f"    DuckDB over Parquet  p50 {p50(duck_times) * 1000:8.1f} ms "
        f"(+ {p50(connect_times) * 1000:.1f} ms to open a connection and its views)"
    )
    print(f"    PostgreSQL / DuckDB: {p50(pg_times) / p50(duck_times):.1f}×; same rows: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
