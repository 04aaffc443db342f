"""PostgreSQL: a page ranks a bounded set of rows, read bucket by bucket from the GIN
indexes, and orders them as ranking every match would (issue 22, point 5)."""

import heapq
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.search import engine
from govhall.search.engine import _strength_sql, _tier_sql, _tsquery, search_items

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.usefixtures("catalog"),
]

QUERIES = ["营业执照", "yyzz", "身份证", "结婚登记", "食品经营许可证", "公积金提取", "开餐馆"]
QUERIES += ["执照", "gongjijin"]
REGIONS = [None, "440000", "440700", "440703", "445100"]


def every_match_ranked(backend, offset: int, limit: int) -> list[tuple]:
    """The order before the bound: strength, tier and ts_rank of every match in one sort."""
    clauses, params = backend._where()
    where = " AND ".join(["d.search_vector @@ q", *clauses])
    strength_sql, strength_params = _strength_sql(backend.plan)
    tier_sql, tier_params = _tier_sql(backend.region_code)
    sql = (
        f"SELECT d.item_id, -ts_rank(%s::float4[], d.search_vector, q) AS score, "
        f"{tier_sql} AS tier, {strength_sql} AS strength "
        f"FROM search_itemdocument d, to_tsquery('simple'::regconfig, %s) q WHERE {where} "
        "ORDER BY strength, tier, score, d.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                backend.WEIGHTS,
                *tier_params,
                *strength_params,
                _tsquery(backend.plan),
                *params,
                limit,
                offset,
            ],
        )
        return cursor.fetchall()


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("region", REGIONS)
def test_pages_are_those_of_ranking_every_match(query, region):
    results = search_items(query, region=region)
    backend = results._backend
    total = len(results)
    assert total > 0
    assert total <= engine.RANK_LIMIT  # within the bound: the order is exact
    expected = every_match_ranked(backend, 0, total)
    for offset, limit in ((0, 20), (0, total), (7, 5), (max(0, total - 3), 10)):
        got = backend.page(offset, limit)
        want = expected[offset : offset + limit]
        assert [r[0] for r in got] == [r[0] for r in want], (offset, limit)
        assert [(r[2], r[3]) for r in got] == [(r[2], r[3]) for r in want]
        assert [r[1] for r in got] == pytest.approx([r[1] for r in want])


def test_a_page_ranks_no_more_rows_than_the_bound(monkeypatch):
    results = search_items("营业执照", region="440000")
    rows = results._backend.page(0, len(results))
    assert all(score < 0 for _, score, _, _ in rows)  # all ranked: fewer than the bound

    monkeypatch.setattr(engine, "RANK_LIMIT", 3)
    bounded = search_items("营业执照", region="440000")._backend.page(0, len(results))
    assert [r[0] for r in bounded] != [] and len(bounded) == len(rows)
    assert {r[0] for r in bounded} == {r[0] for r in rows}  # the same matches, paged
    for strength in {r[3] for r in bounded}:
        bucket = [r for r in bounded if r[3] == strength]
        ranked = [r for r in bucket if r[1] != 0]
        assert len(ranked) <= 3, strength  # ts_rank ran for the first 3 rows at most
    # past the bound: the bucket's other rows by tier, then id, after the ranked ones
    bucket = [r for r in bounded if r[3] == bounded[-1][3]]
    assert any(r[1] == 0 for r in bucket)
    tiers = [r[2] for r in bucket]
    assert tiers == sorted(tiers)


def test_pages_past_the_bound_neither_repeat_nor_skip_a_match(monkeypatch):
    monkeypatch.setattr(engine, "RANK_LIMIT", 4)
    results = search_items("执照", region="440703")
    total = len(results)
    seen = []
    for offset in range(0, total, 6):
        seen += [r[0] for r in results._backend.page(offset, 6)]
    assert len(seen) == total and len(set(seen)) == total
    assert seen[:6] == [r[0] for r in results._backend.page(0, 6)]


def executed_nodes(sql: str) -> list[dict]:
    """The plan nodes ``sql`` executed (``EXPLAIN ANALYZE``: a node never run has no loops)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        stack += node.get("Plans", [])
        if node.get("Actual Loops"):
            nodes.append(node)
    return nodes


def test_name_matches_are_read_from_the_name_index_alone():
    """The first bucket of a Chinese query needs neither the whole-document index nor a
    recheck of the document vectors (what made broad queries read every match)."""
    results = search_items("营业执照", region="440703")
    with CaptureQueriesContext(connection) as queries:
        results._backend.page(0, 5)
    statements = [q["sql"] for q in queries.captured_queries]
    buckets = [sql for sql in statements if "ORDER BY d.id LIMIT" in sql]
    assert buckets  # the page lies in the first bucket: its tiers
    for sql in buckets:
        executed = executed_nodes(sql)
        indexes = {node["Index Name"] for node in executed if "Index Name" in node}
        # neither the vector's index nor the second bucket's: a later step, if any, is
        # gated off and never runs
        assert not indexes & {"search_itemdocument_vector_gin", "search_itemdocument_keys_gin"}
        scans = [n for n in executed if n.get("Relation Name") == "search_itemdocument"]
        conditions = [n.get("Recheck Cond") or n.get("Filter", "") for n in scans]
        assert scans and all("name_keys" in c for c in conditions)
        assert not [c for c in conditions if "search_vector" in c]  # only ts_rank reads it
    # the tier's rows are ranked by the statement that reads them: nothing else runs
    assert statements == buckets and "ts_rank" in buckets[0]


def test_a_short_first_tier_reads_the_next_tiers_in_one_statement(monkeypatch):
    """A first page whose first tier does not fill it reads the bucket's other tiers and
    the next bucket's first tier in one statement, not one each (tiers past those, one
    each as before); the page is the same."""

    def page(backend, limit=20):
        with CaptureQueriesContext(connection) as queries:
            rows = backend.page(0, limit)
        return rows, [q["sql"] for q in queries.captured_queries]

    chained = 0
    for query in QUERIES:
        for region in REGIONS:
            rows, statements = page(search_items(query, region=region)._backend)
            with monkeypatch.context() as patched:  # the tier-by-tier reads, one each
                patched.setattr(engine._PostgreSQL, "_read_first_page", lambda *args: None)
                one_by_one, each = page(search_items(query, region=region)._backend)
            assert [r[0] for r in rows] == [r[0] for r in one_by_one], (query, region)
            assert [(r[2], r[3]) for r in rows] == [(r[2], r[3]) for r in one_by_one]
            assert [r[1] for r in rows] == pytest.approx([r[1] for r in one_by_one])
            assert len(statements) <= len(each), (query, region)
            if len(each) > 1:  # the first tier did not fill the page
                assert statements[1].startswith("WITH s0 ")  # the steps, s0 the first
                chained += len(statements) < len(each)
    assert chained  # the catalogue has such pages: fewer statements for them


def test_steps_past_the_page_are_never_looked_up():
    """The statement's later steps are gated on the rows of the earlier ones: once the
    page is full, their lookups do not run (a one-time filter), and nothing of them is
    kept as read."""
    backend = search_items("营业执照", region="440703")._backend
    with CaptureQueriesContext(connection) as queries:
        backend.page(0, 5)
    chain = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("WITH s0 ")]
    assert len(chain) == 1
    executed = executed_nodes(chain[0])
    gates = [n for n in executed if " < " in n.get("One-Time Filter", "")]
    skipped = [n for n in gates if not any(c.get("Actual Loops") for c in n.get("Plans", []))]
    assert skipped  # the page was full before the last step
    steps = len(backend._tiers) - 1 + 1  # the first bucket's other tiers, the next's first
    read = [key for key in backend._read if key != (0, 0)]
    assert len(read) == steps - len(skipped)


def test_each_row_is_ranked_once_per_search():
    """The grouping walks a broad query in chunks: later chunks reuse the bucket read and
    the ranks of the first."""
    results = search_items("执照", region="440000")
    backend = results._backend
    first = backend.page(0, 10)
    with CaptureQueriesContext(connection) as queries:
        again = backend.page(0, 10)
    assert again == first
    assert not [q for q in queries.captured_queries if "search_itemdocument" in q["sql"]]


def whole_bucket_page(backend, offset: int, limit: int) -> list[tuple]:
    """The page as the engine made it before reading tier by tier: every row of a
    bucket (id, item id, tier) in one statement, by tier and id, the first RANK_LIMIT
    of the tiers the page reaches ranked, the rest after the ranked rows of their tier."""
    rows_out = []
    tier_sql, tier_params = _tier_sql(backend.region_code)
    for strength, where, params in backend._bucket_conditions():
        if len(rows_out) >= limit:
            break
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, d.item_id, {tier_sql} AS tier FROM search_itemdocument d "
                f"WHERE {where} ORDER BY tier, d.id",
                [*tier_params, *params],
            )
            rows = cursor.fetchall()
        if offset >= len(rows):
            offset -= len(rows)
            continue
        last_tier = rows[min(offset + limit - len(rows_out), len(rows)) - 1][2]
        head = [r for r in rows[: engine.RANK_LIMIT] if r[2] <= last_tier]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, -ts_rank(%s::float4[], d.search_vector, {backend.QUERY}) "
                "FROM search_itemdocument d WHERE d.id = ANY(%s)",
                [backend.WEIGHTS, _tsquery(backend.plan), [r[0] for r in head]],
            )
            scores = dict(cursor.fetchall())
        ranked = sorted((tier, scores[id_], id_, item_id) for id_, item_id, tier in head)
        rest = (
            (t, 0.0, id_, item_id)
            for id_, item_id, t in rows[engine.RANK_LIMIT :]
            if t <= last_tier
        )
        ordered = itertools.islice(
            heapq.merge(ranked, rest), offset, offset + limit - len(rows_out)
        )
        rows_out += [(item_id, score, tier, strength) for tier, score, _id, item_id in ordered]
        offset = 0
    return rows_out


@pytest.mark.parametrize("bound,tier_pages", [(2, 100), (7, 12), (40, 100)])
@pytest.mark.parametrize("region", REGIONS)
def test_tier_by_tier_pages_equal_whole_bucket_pages(monkeypatch, bound, tier_pages, region):
    """Past the bound too: with a small RANK_LIMIT the bound falls inside the first
    tier, between tiers and inside later ones, and pages start anywhere; long pages
    read the bucket whole (TIER_PAGE_LIMIT), walks mix both."""
    monkeypatch.setattr(engine, "RANK_LIMIT", bound)
    monkeypatch.setattr(engine, "TIER_PAGE_LIMIT", tier_pages)
    for query in ("执照", "营业执照", "身份证", "食品经营许可证", "开餐馆", "gongjijin"):
        total = len(search_items(query, region=region))
        for offset, limit in ((0, 20), (0, total), (3, 9), (bound - 1, 5), (total - 4, 10)):
            offset = max(0, offset)
            fresh = search_items(query, region=region)._backend  # nothing read yet
            got = fresh.page(offset, limit)
            want = whole_bucket_page(fresh, offset, limit)
            assert [r[0] for r in got] == [r[0] for r in want], (query, offset, limit)
            assert [(r[2], r[3]) for r in got] == [(r[2], r[3]) for r in want]
            assert [r[1] for r in got] == pytest.approx([r[1] for r in want])
        walked = search_items(query, region=region)._backend  # one search, paged on
        pages = [walked.page(offset, 6) for offset in range(0, total, 6)]
        assert [r for page in pages for r in page] == whole_bucket_page(walked, 0, total)


def test_filter_tokens_start_as_the_engine_expects():
    """The name-and-filter index is used without rechecking the name only for terms no
    filter token can match, which the engine tells from these prefixes."""
    from govhall.search.models import ItemDocument
    from govhall.search.services.indexing import FACET_PREFIXES

    tokens = {
        t
        for row in ItemDocument.objects.values_list("facet_tokens", flat=True)
        for t in row.split()
    }
    assert tokens and all(t.startswith(FACET_PREFIXES) for t in tokens)
    checks = {
        q: search_items(q)._backend._may_match_filter_tokens() for q in ("身份证", "yyzz", "ty")
    }
    assert checks == {"身份证": False, "yyzz": False, "ty": True}


def test_the_results_keep_the_count_the_match_check_read():
    """``search`` hands the backend whose count found a match to the results: ``len()``
    runs no statement, and is the count of every match."""
    results = engine.search("营业执照", region="440703")
    with CaptureQueriesContext(connection) as queries:
        total = len(results)
    assert queries.captured_queries == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM search_itemdocument d "
            "WHERE d.search_vector @@ to_tsquery('simple'::regconfig, %s)",
            [_tsquery(results.plan)],
        )
        assert total == cursor.fetchone()[0] > 0


def test_a_tier_is_read_without_parallel_workers():
    """With parallel plans made cheap, the tier's statement would take workers (the
    control, without the parallel-unsafe condition); the engine's does not."""
    results = search_items("营业执照", region="440703")
    with CaptureQueriesContext(connection) as queries:
        results._backend.page(0, 5)
    statements = [q["sql"] for q in queries.captured_queries if "ORDER BY d.id LIMIT" in q["sql"]]
    assert statements and all(engine._NO_WORKERS in sql for sql in statements)

    def plan(sql: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())

    with connection.cursor() as cursor:  # the test's transaction: SET LOCAL ends with it
        for setting in (
            "parallel_setup_cost",
            "parallel_tuple_cost",
            "min_parallel_table_scan_size",
            "min_parallel_index_scan_size",
        ):
            cursor.execute(f"SET LOCAL {setting} = 0")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
    control = statements[0].replace(f" AND {engine._NO_WORKERS}", "")
    assert "Gather" in plan(control)
    assert all("Gather" not in plan(sql) for sql in statements)


def loaded(instance) -> dict:
    """A model instance's loaded field values (what a query put on it)."""
    return {k: v for k, v in instance.__dict__.items() if not k.startswith("_")}


@pytest.mark.parametrize("query,region", [("营业执照", "440703"), ("开餐馆", None)])
def test_a_page_reads_its_items_and_their_index_rows_in_one_statement(query, region):
    """The hits' items (with version, department and region) and their index rows come
    from one statement, equal to what the two ORM queries load."""
    from govhall.catalog.models import Item
    from govhall.search.models import ItemDocument

    results = search_items(query, region=region)
    ids = [row[0] for row in results._backend.page(0, 20)]  # the page itself, read first
    assert ids
    with CaptureQueriesContext(connection) as queries:
        hits = results.hits(0, 20)
    assert len(queries.captured_queries) == 1
    assert [hit.item.pk for hit in hits] == ids
    items = Item.objects.select_related(*engine._ITEM_RELATIONS).filter(pk__in=ids)
    documents = ItemDocument.objects.filter(item_id__in=ids).only(*engine.SHOWN_FIELDS)
    items = {item.pk: item for item in items}
    documents = {document.item_id: document for document in documents}
    for hit in hits:
        item = items[hit.item.pk]
        assert loaded(hit.item) == loaded(item)
        for relation in engine._ITEM_RELATIONS:
            assert loaded(getattr(hit.item, relation)) == loaded(getattr(item, relation))
        document = documents[hit.item.pk]
        assert loaded(hit.document) == loaded(document)
        assert hit.document.get_deferred_fields() == document.get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:  # what the page kept, asked again
        assert results._backend.shown(ids[:3]) == {i: documents[i] for i in ids[:3]}
    assert queries.captured_queries == []
