"""SQLite: a page whose tiers are listed is ranked by the engine's own BM25
(``_SQLite._scored``, document frequencies remembered per index generation) — the same
rows, order and scores as FTS5's ``bm25()``.

These tests commit (document frequencies are only remembered outside transactions), so
they load their own slice and the reference data is restored after the flush.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.search import engine
from govhall.search.tests.conftest import KEYS, REGIONS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite backend"),
]

QUERIES = ["营业执照", "yyzz", "身份证", "结婚登记", "食品经营许可证", "开餐馆", "工商执照"]
PAGES = [(0, 20), (0, 3), (3, 5), (10, 20), (0, 500)]


@pytest.fixture
def slice_(transactional_reference_data):
    from govhall.demo.catalog.loader import load_demo

    load_demo(keys=KEYS, regions=REGIONS)


def pages(query: str, region: str) -> list:
    backend = engine.search(query, region=region)._backend
    return [backend.page(offset, limit) for offset, limit in PAGES]


def test_pages_equal_those_fts5_ranks(slice_, monkeypatch):
    """Every page of the queries in every region, as the engine ranks it and as FTS5 does."""
    scored = {(q, r): pages(q, r) for q in QUERIES for r in REGIONS}
    monkeypatch.setattr(engine, "SCORED_LIMIT", -1)  # every page ranked by FTS5
    for (query, region), expected in scored.items():
        assert pages(query, region) == expected, (query, region)
    assert any(rows for found in scored.values() for rows in found)

    monkeypatch.undo()  # a page of listed tiers: no FTS5 rank, the frequencies remembered
    with CaptureQueriesContext(connection) as queries:
        rows = engine.search("营业执照", region="440700")._backend.page(0, 3)
    assert rows and rows[0][2] == 0  # Jiangmen's own items first
    assert not any("rank" in q["sql"] for q in queries.captured_queries)
    assert any("highlight" in q["sql"] for q in queries.captured_queries)
