"""PostgreSQL: the ranking table holds every document's vector, whatever wrote the
document, and a page ranks from it with the scores the document's own vector gives
(fulltext.RANKING_TABLE, migration 0008; issue 22, point 5)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.catalog.models import Item
from govhall.search import engine, fulltext
from govhall.search.engine import _tsquery, index_item, rebuild_index, remove_item, search_items
from govhall.search.models import ItemDocument
from govhall.search.services import indexing

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
    pytest.mark.usefixtures("catalog"),
]

LICENCE = "企业设立登记（营业执照核发）"
QUERIES = ["营业执照", "yyzz", "身份证", "食品经营许可证", "开餐馆", "执照", "gongjijin"]
REGIONS = [None, "440000", "440700", "440703", "445100"]


def vectors(sql: str) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def assert_in_step() -> int:
    """The ranking table holds exactly the documents' vectors (as text: lexemes,
    positions and weights); the number of documents."""
    documents = vectors(f"SELECT id, search_vector::text FROM {fulltext.DOC_TABLE}")
    ranking = vectors(f"SELECT document_id, vector::text FROM {fulltext.RANKING_TABLE}")
    assert ranking == documents
    return len(documents)


def ranking_vector(document_id: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT vector::text FROM {fulltext.RANKING_TABLE} WHERE document_id = %s",
            [document_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def test_the_rebuild_fills_it():
    """The fixture's load ends with ``rebuild_index`` (a delete of every document, then
    the bulk path's COPY); so does a rebuild of its own."""
    assert assert_in_step() > 50
    before = ItemDocument.objects.count()
    report = rebuild_index()
    assert report.documents == before
    assert assert_in_step() == before


def test_indexing_an_item_again_writes_its_new_vector():
    item = Item.objects.filter(name=LICENCE, region_id="440700").get()
    document = ItemDocument.objects.get(item=item)
    old = ranking_vector(document.pk)
    version = item.current
    version.name = version.name + "（电子证照）"
    version.save(update_fields=["name"])
    assert index_item(item) is True  # an UPDATE of the document row
    assert ItemDocument.objects.get(item=item).pk == document.pk
    new = ranking_vector(document.pk)
    assert new != old and "'电子'" in new
    assert_in_step()


def test_removing_and_indexing_an_item_deletes_and_inserts_its_vector():
    item = Item.objects.filter(name=LICENCE, region_id="440700").get()
    document_id = ItemDocument.objects.get(item=item).pk
    remove_item(item)
    assert ranking_vector(document_id) is None
    assert_in_step()
    assert index_item(item) is True  # an INSERT: a new document id
    assert ranking_vector(ItemDocument.objects.get(item=item).pk) is not None
    assert_in_step()
    # an item that leaves the index through index_item (suspended)
    Item.objects.filter(pk=item.pk).update(status=Item.Status.SUSPENDED)
    assert index_item(item) is False
    assert_in_step()


def test_bulk_index_copies_the_vectors_of_a_batch():
    items = list(Item.objects.filter(region_id="440703").select_related("current", "department"))
    assert len(items) > 3
    sources = [indexing.source_of(item) for item in items]
    ItemDocument.objects.filter(item__in=items).delete()  # one DELETE of many rows
    assert_in_step()
    assert indexing.bulk_index([s for s in sources if s], batch_size=2) > 3  # COPY, batches
    assert_in_step()


def test_statements_writing_many_rows_and_a_truncate():
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {fulltext.DOC_TABLE} SET body_tokens = body_tokens || ' 附加' "
            "WHERE region_code = '440700'"
        )
        assert cursor.rowcount > 3
    assert_in_step()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left
        cursor.execute(f"TRUNCATE {fulltext.DOC_TABLE}")  # what a flush does
    assert assert_in_step() == 0


def ranked_statements(statements) -> list[str]:
    return [q["sql"] for q in statements if "ts_rank" in q["sql"]]


def ranked_vectors(sql: str) -> list[str]:
    """The vector argument of each ``ts_rank`` call in ``sql``."""
    vectors = []
    for start in [m.end() for m in re.finditer(r"ts_rank\(", sql)]:
        depth, quoted, arguments, current = 0, False, [], ""
        for char in sql[start:]:
            quoted ^= char == "'"  # a doubled quote inside a literal toggles twice
            if char == "," and depth == 0 and not quoted:
                arguments.append(current.strip())
                current = ""
                continue
            depth += 0 if quoted else {"(": 1, ")": -1}.get(char, 0)
            if depth < 0:
                break
            current += char
        vectors.append(arguments[1])
    return vectors


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("region", REGIONS)
def test_a_page_ranks_from_the_ranking_table_with_the_documents_scores(query, region):
    results = search_items(query, region=region)
    backend = results._backend
    with CaptureQueriesContext(connection) as queries:
        results.hits(0, 20)
        backend.page(0, len(results))  # every tier, through the whole bucket's read too
    statements = ranked_statements(queries.captured_queries)
    assert statements and backend._scores
    for sql in statements:
        # ts_rank's vector is the ranking table's, never the document row's
        for vector in ranked_vectors(sql):
            assert vector == "r.vector" or re.fullmatch(
                rf"\(SELECT r\.vector FROM {fulltext.RANKING_TABLE} r "
                r"WHERE r\.document_id = \w\.id\)",
                vector,
            ), sql
        assert f"FROM {fulltext.RANKING_TABLE} r" in sql
    # each score, to the bit, what ts_rank gives of the document's own vector
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, -ts_rank(%s::float4[], d.search_vector, {backend.QUERY}) "
            f"FROM {fulltext.DOC_TABLE} d WHERE d.id = ANY(%s)",
            [backend.WEIGHTS, _tsquery(backend.plan), list(backend._scores)],
        )
        expected = dict(cursor.fetchall())
    assert backend._scores == expected


def test_the_ranking_table_is_what_orders_a_page():
    """Give the best hit the vector of a document without the query's words: it falls
    behind every other hit of its bucket's tier. (The page reads the ranking table.)"""
    for query, region in [(q, r) for q in ("执照", "营业执照", "身份证") for r in REGIONS]:
        first = search_items(query, region=region)._backend.page(0, 20)
        item_id, _, tier, strength = first[0]
        peers = [row for row in first if (row[2], row[3]) == (tier, strength)]
        if len(peers) > 1 and peers[0][1] < peers[1][1] < 0:  # ranked, the first ahead
            break
    else:
        pytest.fail("no page whose first tier has two ranked hits")
    top = ItemDocument.objects.get(item_id=item_id).pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {fulltext.RANKING_TABLE} SET vector = to_tsvector('simple', '无关') "
            "WHERE document_id = %s",
            [top],
        )
    engine._counts.clear()
    again = search_items(query, region=region)._backend.page(0, 20)
    peers_now = [row for row in again if (row[2], row[3]) == (tier, strength)]
    assert [row[0] for row in peers_now] == [row[0] for row in peers[1:]] + [item_id]
    assert -1e-9 < peers_now[-1][1] <= 0  # ts_rank of a vector without the query's words
