"""Run the benchmarks: ``python -m bench [NAME] [options]`` (or ``make bench``).

Names: ``catalog`` (catalogue search on 1,000,000 items), ``cases`` (the case engine on
1,000,000 cases), ``cases-cpu`` (CPU milliseconds per request in process, on the database
``cases`` built; PostgreSQL), ``scan`` (the deadline scan over 1,000,000 open cases, PostgreSQL),
``licences`` (SM2 against OpenSSL, issuing throughput) and ``exchange``
(process-record ingest against COPY, refresh and indicator queries on 10,000,000 records),
``rebuild`` (the monitoring rebuild against COPY of the same 10,202,000 records) and
``load`` (a working day's mix under Locust against gunicorn + nginx on PostgreSQL, with one and
two app processes, up to the knee; see bench/load.py), ``supervision`` (the periodic time
scan over 1,000,000 open cases against one plain SQL query; PostgreSQL), ``payments``
(paid notifications per second through the notification endpoint; bench/payments.py),
``baselib`` (lookup by ID number and update ingest against COPY), ``analysis`` (the
Parquet export against reading the same rows, a province-month query on Parquet against
PostgreSQL) and ``recommend`` (next-service hit rate against the relations-only
baseline on held-out histories). Without a
name every benchmark runs, each with the options given (``--count N`` is each one's own
size); options only one benchmark knows need its name.

The catalogue search runs in its own process with its own throwaway database, on SQLite
and also on PostgreSQL when ``BENCH_DATABASE_URL`` names a database that may be wiped.
The case benchmark runs on PostgreSQL only, in ``BENCH_DATABASE_URL`` (or ``--database``).
The licence benchmark runs on a scratch SQLite database, or in ``BENCH_DATABASE_URL``.
The exchange benchmark runs in ``BENCH_DATABASE_URL`` (else a PostgreSQL
``DATABASE_URL``), or as a small SQLite variant without the COPY baseline.
"""

from __future__ import annotations

import os
import subprocess
import sys

BENCHMARKS = (
    "catalog",
    "cases",
    "cases-cpu",
    "scan",
    "licences",
    "exchange",
    "rebuild",
    "load",
    "supervision",
    "payments",
    "baselib",
    "analysis",
    "recommend",
)


def catalog(argv: list[str]) -> int:
    targets = ["sqlite"]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(os.environ["BENCH_DATABASE_URL"])
    status = 0
    for target in targets:
        command = [sys.executable, "-m", "bench.catalog_search", "--database", target, *argv]
        status |= subprocess.run(command, check=False).returncode
    return status


def cases(argv: list[str]) -> int:
    asked = any(a.startswith("--database") or a in ("-h", "--help") for a in argv)
    if not os.environ.get("BENCH_DATABASE_URL") and not asked:
        print("cases: skipped (PostgreSQL only; set BENCH_DATABASE_URL)")
        return 0
    return subprocess.run([sys.executable, "-m", "bench.cases", *argv], check=False).returncode


def _postgres_only(name: str, module: str, argv: list[str]) -> int:
    asked = any(a.startswith("--database") or a in ("-h", "--help") for a in argv)
    if not os.environ.get("BENCH_DATABASE_URL") and not asked:
        print(f"{name}: skipped (PostgreSQL only; set BENCH_DATABASE_URL or --database)")
        return 0
    return subprocess.run([sys.executable, "-m", module, *argv], check=False).returncode


def cases_cpu(argv: list[str]) -> int:
    """CPU per request in process (after ``cases`` has built its database)."""
    return _postgres_only("cases-cpu", "bench.cases_cpu", argv)


def scan(argv: list[str]) -> int:
    return _postgres_only("scan", "bench.deadlines", argv)


def licences(argv: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "bench.licences", *argv], check=False).returncode


def exchange(argv: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "bench.exchange", *argv], check=False).returncode


def rebuild(argv: list[str]) -> int:
    return _postgres_only("rebuild", "bench.rebuild", argv)


def supervision(argv: list[str]) -> int:
    asked = any(a.startswith("--database") or a in ("-h", "--help") for a in argv)
    if not os.environ.get("BENCH_DATABASE_URL") and not asked:
        print("supervision: skipped (PostgreSQL only; set BENCH_DATABASE_URL)")
        return 0
    command = [sys.executable, "-m", "bench.supervision", *argv]
    return subprocess.run(command, check=False).returncode


def load(argv: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "bench.load", *argv], check=False).returncode


def payments(argv: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "bench.payments", *argv], check=False).returncode


def baselib(argv: list[str]) -> int:
    """Base libraries: lookup by ID number and update ingest against COPY (PostgreSQL)."""
    return subprocess.run([sys.executable, "-m", "bench.baselib", *argv], check=False).returncode


def analysis(argv: list[str]) -> int:
    return _postgres_only("analysis", "bench.analysis", argv)


def recommend(argv: list[str]) -> int:
    return subprocess.run([sys.executable, "-m", "bench.recommend", *argv], check=False).returncode


def main(argv: list[str]) -> int:
    names = list(BENCHMARKS)
    if argv and argv[0] in BENCHMARKS:
        names, argv = [argv[0]], argv[1:]
    status = 0
    for name in names:
        runners = {
            "catalog": catalog,
            "cases": cases,
            "cases-cpu": cases_cpu,
            "scan": scan,
            "licences": licences,
            "exchange": exchange,
            "rebuild": rebuild,
            "load": load,
            "supervision": supervision,
            "payments": payments,
            "baselib": baselib,
            "analysis": analysis,
            "recommend": recommend,
        }
        status |= runners[name](argv)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
