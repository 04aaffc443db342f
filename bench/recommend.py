"""The next service: hit rate on held-out applicant histories, recommendation against the
item-relations-only baseline.

    python -m bench recommend [--applicants 20000] [--held-out 0.2] [--seed 1] [--k 3]

Histories come from ``govhall.demo.generators.histories`` (the demo catalogue's life
events and declared relations; see there). Applicants are split at random: the
training ones are written as application records into a scratch analysis store (Parquet,
partitioned by month as the export writes it), and the co-occurrence table is built from
it with the production SQL (``analysis.services.examples.NEXT_ITEMS``) and thresholds
(``nextitems.keep``). Then, for every consecutive pair of applications (A then B) of the
held-out applicants, a hit is B among the first ``--k`` recommendations after A:

* baseline: the declared follow-on items (后置事项) of A only — what the pages showed
  before (and, for reference, every declared relation read as "next");
* co-occurrence alone;
* the recommendation as the pages show it (``recommend.rank``): declared follow-ons
  first, then co-occurrence.

Printed: hit@k (and hit@1) of each, the ratio recommendation / baseline, how many pairs
each could answer at all, and the build time.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def write_store(directory: Path, applications) -> None:
    import pyarrow as pa
    import pyarrow.dataset as ds

    start = datetime.datetime(2024, 1, 1, 2, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(days=a.day) for a in applications]
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    table = pa.table(
        {
            "applicant_key": [a.applicant for a in applications],
            "implementation_code": [a.item for a in applications],
            "occurred_at": pa.array(moments, type=pa.timestamp("us", tz="UTC")),
            "message_type": ["0"] * len(applications),
            "month": [m.astimezone(shanghai).strftime("%Y-%m") for m in moments],
            "city": ["440000"] * len(applications),
        }
    )
    partitioning = ds.partitioning(
        pa.schema([("month", pa.string()), ("city", pa.string())]), flavor="hive"
    )
    ds.write_dataset(table, directory / "records", format="parquet", partitioning=partitioning)


def pairs_of(applications) -> list[tuple[str, str]]:
    by_applicant: dict[str, list] = {}
    for a in applications:
        by_applicant.setdefault(a.applicant, []).append(a)
    pairs = []
    for history in by_applicant.values():
        history.sort(key=lambda a: a.day)
        pairs += [(x.item, y.item) for x, y in itertools.pairwise(history)]
    return pairs


def hit_rate(pairs, recommend, k: int) -> tuple[float, float, float]:
    hits = first = answered = 0
    for before, after in pairs:
        got = recommend(before)[:k]
        answered += bool(got)
        hits += after in got
        first += bool(got) and got[0] == after
    n = len(pairs) or 1
    return hits / n, first / n, answered / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench recommend", description=__doc__)
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--held-out", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--k", type=int, default=3)
    options = parser.parse_args(argv)
    setup()
    from govhall.analysis.services import examples, nextitems, recommend, store
    from govhall.demo.generators import histories

    k = options.k
    started = time.perf_counter()
    applications = histories.generate(options.applicants, seed=options.seed)
    split = random.Random(f"split:{options.seed}")
    applicants = sorted({a.applicant for a in applications})
    held = {name for name in applicants if split.random() < options.held_out}
    train = [a for a in applications if a.applicant not in held]
    test = [a for a in applications if a.applicant in held]
    pairs = pairs_of(test)
    print(
        f"recommend: {options.applicants:,} applicants ({len(applications):,} applications, "
        f"{time.perf_counter() - started:.1f} s), held out {len(held):,} "
        f"with {len(pairs):,} consecutive pairs; hit@{k} = the next item among the first {k}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        write_store(directory, train)
        started = time.perf_counter()
        con = store.connect(directory)
        found = examples.next_items(
            con, within_days=nextitems.WITHIN_DAYS, min_applicants=nextitems.MIN_APPLICANTS
        )
        kept = nextitems.keep(found)
        built = time.perf_counter() - started
    history = {code: [row[1] for row in rows] for code, rows in kept.items()}
    follow_ons = histories.declared_follow_ons()
    relations = histories.all_relations()
    print(
        f"  co-occurrence table: {sum(len(v) for v in kept.values()):,} pairs over "
        f"{len(kept):,} items, built in {built * 1000:.0f} ms (DuckDB over Parquet)"
    )
    variants = [
        (
            "baseline: declared follow-ons",
            lambda a: recommend.rank(a, follow_ons.get(a, ()), {}, k),
        ),
        ("(every declared relation)", lambda a: recommend.rank(a, relations.get(a, ()), {}, k)),
        ("co-occurrence alone", lambda a: recommend.rank(a, (), history, k)),
        ("recommendation (both)", lambda a: recommend.rank(a, follow_ons.get(a, ()), history, k)),
    ]
    figures = {}
    print(f"  {'':34} {'hit@' + str(k):>8} {'hit@1':>8} {'answered':>9}")
    for label, function in variants:
        rate, first, answered = hit_rate(pairs, function, k)
        figures[label] = rate
        print(f"  {label:34} {rate:8.1%} {first:8.1%} {answered:9.1%}")
    base = figures["baseline: declared follow-ons"]
    both = figures["recommendation (both)"]
    ratio = both / base if base else float("inf")
    print(f"  recommendation / baseline: {ratio:.1f}× hit@{k} ({both:.1%} against {base:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
