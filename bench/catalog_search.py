"""Catalogue search latency on 1,000,000 items: full-text engine versus a naive LIKE scan.

    python -m bench.catalog_search [--count 1000000] [--rounds 5] [--database sqlite|URL]
                                   [--keep | --reuse DIR | --reuse-database]
                                   [--baseline-rounds N] [--in-process] [--pages FILE]

Builds a throwaway database (a temporary SQLite file, or the PostgreSQL database named
by ``--database``, which is wiped), loads the reference data and themes, generates the
items with ``govhall.demo.generators.items``, then times a fixed set of queries:

* in process: ``govhall.search.engine.search`` — count plus the first page of 20 hits,
  ordered with the hall's own items first (what the portal and the API do);
* the same in process with a naive ``LIKE '%q%'`` over name, aliases and body of the
  same rows (count plus first 20), the baseline;
* over HTTP against a local server on 127.0.0.1: ``/api/v1/items/?q=`` and the portal
  page ``/search/?q=``.

``--keep`` keeps the SQLite working directory; ``--reuse DIR`` times against the database
a kept run left there instead of building a new one; ``--reuse-database`` does the same
with the PostgreSQL database of ``--database`` (migrated, not wiped);
``--baseline-rounds N`` times fewer rounds of ``LIKE`` (seconds a call at 1,000,000
items); ``--in-process`` leaves out the HTTP timings; ``--pages FILE`` writes each
query–region pair's count and first page (items, tiers, scores) to FILE, or compares
them with FILE when it exists (a run of other code on the same database; set
``PYTHONHASHSEED`` for both: the synonyms' order moves the last bit of some scores).

Prints the generation rate, p50/p95 per method and the ratio to the baseline, each
query's engine and ``LIKE`` times (slowest first: which queries make the p95), then the
memory: the peak resident size of this process (generation included unless reused), the
size of the database and of the item and search index tables (SQLite: the file and
``dbstat`` pages; PostgreSQL: ``pg_total_relation_size``, indexes and TOAST included).
Goal: p95 ≤ 20 ms in process.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

QUERIES = [
    "营业执照",
    "yyzz",
    "结婚登记",
    "身份证",
    "公积金提取",
    "食品经营许可证",
    "社保卡",
    "残疾人证",
    "清税证明",
    "施工许可证",
    "出生登记",
    "户口迁移",
    "低保",
    "养老金",
    "护照",
    "港澳通行证",
    "驾驶证",
    "排水许可",
    "消防安全检查",
    "环评",
    "营业执熙",  # one wrong character
    "营叶执照",  # homophone
    "jhdj",  # 结婚登记 initials
    "gongjijin",
    "开餐馆",
    "二代证",
    "工商执照",
    "网约车 驾驶员",
    "高新技术企业认定",
    "户外广告 招牌",
]
REGIONS = ["440000", "440700", "445100", "440703", "440100"]
GOAL_P95_MS = 20.0


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def setup_django(database: str, workdir: str) -> None:
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{os.path.join(workdir, 'bench.sqlite3')}"
    else:
        os.environ["DATABASE_URL"] = database
    os.environ["GOVHALL_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    os.environ["API_ANON_RATE"] = "1000000/minute"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.conf import settings

    # As in production: DEBUG keeps every statement in memory and, on SQLite, runs one
    # more statement per statement to quote its parameters for that log (a search runs
    # ten or more). The keys of the development settings were read already.
    settings.DEBUG = False


def build(count: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from govhall.demo.catalog.loader import load_themes
    from govhall.demo.generators.items import generate
    from govhall.regions.services import loading
    from govhall.search import fulltext

    timings = {}
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    loading.load_regions()
    loading.create_halls()
    loading.load_departments()
    load_themes()
    timings["schema and reference data"] = time.perf_counter() - started
    started = time.perf_counter()
    report = generate(count)
    seconds = time.perf_counter() - started
    timings[f"generate {report.items} items ({report.items / seconds:,.0f} items/s)"] = seconds
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_item_fts(search_item_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            # What autovacuum does after a load (it is off on the reference machine): the
            # GIN indexes' pending lists (up to 256 kB each since search migration 0007,
            # 4 MB before) are read through by every lookup until a vacuum merges them.
            cursor.execute("VACUUM ANALYZE search_itemdocument")
            cursor.execute(f"VACUUM ANALYZE {fulltext.RANKING_TABLE}")  # its hint bits too
            cursor.execute("ANALYZE")
    return timings


# The tables of the catalogue's items and of the search index (FTS5's shadow tables on
# SQLite; the GIN index and TOAST are inside the document table's total on PostgreSQL).
ITEM_TABLES = ["catalog_item", "catalog_itemversion", "catalog_material"]
INDEX_TABLES = ["search_itemdocument", "search_searchterm"]
FTS_PREFIX = "search_item_fts"


def mib(size: float) -> str:
    return f"{size / 1024 / 1024:,.1f} MiB"


def peak_rss() -> int:
    """Peak resident set size of this process in bytes (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def sizes() -> list[tuple[str, int]]:
    """(what, bytes) of the database, the item tables and the search index."""
    from django.db import connection

    rows = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Pages in use (the -wal file holds the last writes until a checkpoint).
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            rows.append(("database", pages * cursor.fetchone()[0]))
            # Each table with its indexes (dbstat names index b-trees by index name).
            cursor.execute(
                "SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s "
                "LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1"
            )
            by_table = dict(cursor.fetchall())
            for table in ITEM_TABLES + INDEX_TABLES:
                rows.append((f"{table} (with indexes)", by_table.get(table, 0)))
            fts = sum(v for k, v in by_table.items() if k.startswith(FTS_PREFIX))
            rows.append((f"{FTS_PREFIX} (FTS5 index)", fts))
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
            rows.append(("database", cursor.fetchone()[0]))
            for table in ITEM_TABLES + INDEX_TABLES:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                rows.append((f"{table} (total)", cursor.fetchone()[0]))
            # the vectors again, for ts_rank (search 0008)
            cursor.execute("SELECT pg_total_relation_size(to_regclass('search_rankingvector'))")
            rows.append(("search_rankingvector (total)", cursor.fetchone()[0] or 0))
            cursor.execute("SELECT pg_relation_size('search_itemdocument_vector_gin')")
            rows.append(("  of which the GIN index", cursor.fetchone()[0]))
            # the strength buckets (0005), the name bucket's region tiers (0006)
            for index in ("name_keys_gin", "keys_gin", "name_facets_gin"):
                cursor.execute("SELECT pg_relation_size(%s)", [f"search_itemdocument_{index}"])
                rows.append((f"  and the GIN index {index}", cursor.fetchone()[0]))
    return rows


def naive_like(query: str, region: str) -> tuple[int, list[int]]:
    """What a catalogue without a search engine does: LIKE over the same text."""
    from django.db import connection

    from govhall.search.engine import _tier_sql

    words = query.split()
    clauses, params = [], []
    for word in words:
        pattern = f"%{word}%"
        clauses.append("(d.name LIKE %s OR d.aliases LIKE %s OR d.body LIKE %s)")
        params += [pattern, pattern, pattern]
    where = " AND ".join(clauses)
    tier_sql, tier_params = _tier_sql(region)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM search_itemdocument d WHERE {where}", params)
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT d.item_id, {tier_sql} AS tier FROM search_itemdocument d WHERE {where} "
            "ORDER BY tier, d.id LIMIT 20",
            [*tier_params, *params],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return total, ids


def engine_search(query: str, region: str) -> tuple[int, list[int]]:
    from govhall.search.engine import search

    results = search(query, region=region)
    total = len(results)
    return total, [hit.item.pk for hit in results.hits(0, 20)]


def pages_and_statements(path: str | None) -> None:
    """Each query–region pair's count and first page (item, tier, score) with the
    statements it ran; with ``path``, written there, or compared with what is there
    (another tree's run on the same database: the same results, to the bit)."""
    import json

    from django.db import connection

    from govhall.search.engine import search

    statements: list[int] = []
    pages = {}

    def counted(execute, sql, params, many, context):
        statements[-1] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        for query in QUERIES:
            for region in REGIONS:
                statements.append(0)
                results = search(query, region=region)
                hits = results.hits(0, 20)
                pages[f"{query}|{region}"] = [
                    len(results),
                    [[hit.item.pk, hit.tier, repr(hit.score)] for hit in hits],
                ]
    print(
        f"statements (count + first page, {len(statements)} searches): "
        f"{sum(statements)}, at most {max(statements)} a search"
    )
    if not path:
        return
    if not os.path.exists(path):
        with open(path, "w") as out:
            json.dump(pages, out, ensure_ascii=False)
        print(f"  counts and first pages written to {path}")
        return
    if os.environ.get("PYTHONHASHSEED") is None:
        # the order of a word's synonyms, and so of the tsquery's operands, follows the
        # string hashing of the process: the last bit of some scores moves with it
        print("  (compare with PYTHONHASHSEED set, the same for both runs)")
    with open(path) as given:
        before = json.load(given)
    differ = [key for key in pages if before.get(key) != pages[key]]
    print(
        f"  counts and first pages against {path}: "
        + ("the same for every pair" if not differ else f"DIFFERENT for {differ}")
    )


def time_calls(function, rounds: int) -> tuple[list[float], dict[str, int], dict[str, list[float]]]:
    samples, totals, by_query = [], {}, {}
    for query in QUERIES:  # warm caches (segmenter, synonyms, vocabulary, pages)
        function(query, REGIONS[0])
    for round_number in range(rounds):
        for index, query in enumerate(QUERIES):
            region = REGIONS[(index + round_number) % len(REGIONS)]
            started = time.perf_counter()
            total, _ = function(query, region)
            samples.append((time.perf_counter() - started) * 1000)
            by_query.setdefault(query, []).append(samples[-1])
            totals[query] = total
    return samples, totals, by_query


def serve() -> tuple[str, object]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    return f"http://{host}:{port}", server


def http_samples(base: str, path: str, rounds: int) -> list[float]:
    samples = []

    def get(query, region):
        url = f"{base}{path}?" + urllib.parse.urlencode({"q": query, "region": region})
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} → {response.status}")

    for query in QUERIES[:5]:
        get(query, REGIONS[0])
    for round_number in range(rounds):
        for index, query in enumerate(QUERIES):
            region = REGIONS[(index + round_number) % len(REGIONS)]
            started = time.perf_counter()
            get(query, region)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def report_line(label: str, samples: list[float], baseline: float | None = None) -> str:
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    line = f"  {label:<38} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   (n={len(samples)})"
    if baseline:
        line += f"   p95 {baseline / p95:5.1f}× faster than LIKE"
    return line


def print_per_query(engine: dict, totals: dict, like: dict) -> None:
    """The queries, slowest engine time first: which ones make the p95."""
    print("per query (engine median / slowest of the regions, LIKE median; matches):")
    for query in sorted(engine, key=lambda q: -max(engine[q])):
        times = engine[query]
        shown = query + " " * max(0, 16 - sum(2 if ord(c) > 0x2E80 else 1 for c in query))
        print(
            f"  {shown} {statistics.median(times):7.1f} / {max(times):7.1f} ms"
            f"   LIKE {statistics.median(like[query]):8.1f} ms   {totals[query]:>9,}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", default="sqlite", help="sqlite or a PostgreSQL URL")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument(
        "--reuse", metavar="DIR", help="time the SQLite database a --keep run left in DIR"
    )
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="PostgreSQL: time the items a previous run left in --database (no wipe)",
    )
    parser.add_argument(
        "--baseline-rounds",
        type=int,
        metavar="N",
        help="rounds of the LIKE baseline (default: --rounds; each takes seconds at 1,000,000)",
    )
    parser.add_argument(
        "--in-process", action="store_true", help="time in process only (no HTTP requests)"
    )
    parser.add_argument(
        "--pages",
        metavar="FILE",
        help="write each pair's count and first page to FILE, or compare with it if it exists",
    )
    args = parser.parse_args(argv)
    if args.reuse and args.database != "sqlite":
        parser.error("--reuse works with --database sqlite only")
    if args.reuse_database and args.database == "sqlite":
        parser.error("--reuse-database works with a PostgreSQL --database only")
    if args.reuse and not os.path.exists(os.path.join(args.reuse, "bench.sqlite3")):
        parser.error(f"no bench.sqlite3 in {args.reuse}")

    workdir = args.reuse or tempfile.mkdtemp(prefix="govhall-bench-")
    try:
        setup_django(args.database, workdir)
        from django.db import connection

        if args.reuse or args.reuse_database:
            from django.core.management import call_command

            from govhall.search.models import ItemDocument

            call_command("migrate", verbosity=0)  # the tree may have moved on since
            count = ItemDocument.objects.count()
            print(f"== catalogue search benchmark on {connection.vendor}, {count} items ==")
            print(f"  reusing {workdir if args.reuse else args.database}")
        else:
            print(f"== catalogue search benchmark on {connection.vendor}, {args.count} items ==")
            for label, seconds in build(args.count).items():
                print(f"  {label:<38} {seconds:8.1f} s")
        built_peak = peak_rss()
        engine, engine_totals, engine_by_query = time_calls(engine_search, args.rounds)
        like_rounds = args.rounds if args.baseline_rounds is None else args.baseline_rounds
        like, like_totals, like_by_query = time_calls(naive_like, like_rounds)
        like_p95 = percentile(like, 0.95)
        print("latency (count + first page of 20, hall's own items first):")
        print(report_line("naive LIKE scan (in process)", like))
        print(report_line("full-text engine (in process)", engine, like_p95), flush=True)
        print_per_query(engine_by_query, engine_totals, like_by_query)
        pages_and_statements(args.pages)
        if not args.in_process:
            base, server = serve()
            try:
                api = http_samples(base, "/api/v1/items/", args.rounds)
                print(report_line("GET /api/v1/items/?q= (HTTP)", api), flush=True)
                page = http_samples(base, "/search/", args.rounds)
                print(report_line("GET /search/?q= portal page (HTTP)", page))
            finally:
                server.shutdown()
        found_engine = sum(1 for q in QUERIES if engine_totals.get(q))
        found_like = sum(1 for q in QUERIES if like_totals.get(q))
        print(
            f"queries with results: engine {found_engine}/{len(QUERIES)}, "
            f"LIKE {found_like}/{len(QUERIES)} (pinyin, synonyms and typos need the engine)"
        )
        goal = percentile(engine, 0.95) <= GOAL_P95_MS
        print(f"goal p95 ≤ {GOAL_P95_MS:.0f} ms in process: {'met' if goal else 'NOT met'}")
        print("memory and size on disk:")
        label = "after reusing" if args.reuse or args.reuse_database else "after generating"
        print(f"  {'peak RSS ' + label:<38} {mib(built_peak):>14}")
        print(f"  {'peak RSS after timing':<38} {mib(peak_rss()):>14}")
        for what, size in sizes():
            print(f"  {what:<38} {mib(size):>14}")
        return 0
    finally:
        if args.reuse or (args.keep and args.database == "sqlite"):
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
