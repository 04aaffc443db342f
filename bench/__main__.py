"""Run every benchmark: ``python -m bench`` (or ``make bench``).

Each benchmark runs in its own process with its own throwaway database, on SQLite and
also on PostgreSQL when ``BENCH_DATABASE_URL`` names a database that may be wiped.
Pass ``--count N`` to use fewer items than the 100,000 of the goal.
"""

from __future__ import annotations

import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    targets = ["sqlite"]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(os.environ["BENCH_DATABASE_URL"])
    status = 0
    for target in targets:
        command = [sys.executable, "-m", "bench.catalog_search", "--database", target, *argv]
        status |= subprocess.run(command, check=False).returncode
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
