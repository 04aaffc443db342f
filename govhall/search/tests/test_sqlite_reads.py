"""SQLite: what a search reads besides the ranking — whether a plan matches at all
(remembered per index generation, as counts are) and the index rows a page shows
(one plain statement instead of the ORM's, the same model instances).

These tests commit (results are only remembered outside transactions), so they load
their own slice and the reference data is restored after the flush.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.search import engine
from govhall.search.models import ItemDocument
from govhall.search.tests.conftest import KEYS, REGIONS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite backend"),
]

QUERIES = ["营业执照", "yyzz", "身份证", "结婚登记", "开餐馆", "jhdj"]


@pytest.fixture
def slice_(transactional_reference_data):
    from govhall.demo.catalog.loader import load_demo

    load_demo(keys=KEYS, regions=REGIONS)


def matched(query: str) -> tuple[bool, bool]:
    """Whether ``query``'s plan matches, and whether the index was read for it."""
    plan = engine.plan_query(query)
    with CaptureQueriesContext(connection) as queries:
        found = engine._has_match(plan, engine.Filters(), None, None) is not None
    return found, any("MATCH" in q["sql"] for q in queries.captured_queries)


def test_whether_a_plan_matches_is_remembered_until_the_index_changes(slice_):
    found, read = matched("yyzz")  # a pinyin prefix: FTS5 reads its doclists whole
    assert found and read
    assert matched("yyzz") == (True, False)
    assert matched("营业执照") == (True, True)
    assert matched("营业执照") == (True, False)

    hits = engine.search("营业执照", fallbacks=False)
    items = [hit.item for hit in hits.hits(0, len(hits))]
    assert items
    for item in items:
        engine.remove_item(item)
    assert matched("营业执照") == (False, True)  # the index moved on: read again
    assert matched("营业执照") == (False, False)
    assert engine.index_item(items[0]) is True
    assert matched("营业执照") == (True, True)


def test_whether_a_plan_matches_inside_a_transaction_is_read_each_time(slice_):
    assert matched("营业执照") == (True, True)
    with transaction.atomic():
        assert matched("营业执照") == (True, True)
        assert matched("营业执照") == (True, True)


def test_a_pages_documents_are_those_the_orm_loads(slice_):
    """The index rows of a page, as ``filter(pk__in=…).only(*SHOWN_FIELDS)`` loads them:
    the same fields loaded (the rest deferred), the same values."""

    def state(document):
        values = {k: v for k, v in vars(document).items() if k != "_state"}
        return values, document.get_deferred_fields(), document._state.db, document._state.adding

    compared = 0
    for query in QUERIES:
        for region in REGIONS:
            backend = engine.search(query, region=region)._backend
            for offset, limit in [(0, 20), (20, 20), (0, 200)]:
                rows = backend.page(offset, limit)
                if not rows:
                    continue
                shown = backend.shown([row[0] for row in rows])
                expected = ItemDocument.objects.filter(item_id__in=[r[0] for r in rows]).only(
                    *engine.SHOWN_FIELDS
                )
                expected = {document.item_id: document for document in expected}
                assert shown.keys() == expected.keys(), (query, region, offset)
                for item_id, document in shown.items():
                    assert type(document) is type(expected[item_id])
                    assert state(document) == state(expected[item_id]), (query, item_id)
                    assert document.get_deferred_fields()  # the token columns are not loaded
                    compared += 1
    assert compared > 100


def test_a_pages_items_are_those_the_orm_loads(slice_):
    """The items of a page, from the statement compiled once, as
    ``Item.objects.select_related("current", "department", "region")`` loads them: the
    same values, the same related rows loaded with them (no query when read)."""

    def state(instance):
        values = {k: v for k, v in vars(instance).items() if k != "_state"}
        return values, instance._state.db, instance._state.adding

    compared = 0
    for query in QUERIES:
        for region in REGIONS:
            backend = engine.search(query, region=region)._backend
            ids = [row[0] for row in backend.page(0, 50)]
            if not ids:
                continue
            items = backend.items(ids)
            expected = engine._Backend.items(backend, ids)
            assert list(items) and items.keys() == expected.keys(), (query, region)
            for item_id, item in items.items():
                other = expected[item_id]
                assert type(item) is type(other) and state(item) == state(other)
                assert item._state.fields_cache.keys() == other._state.fields_cache.keys()
                with CaptureQueriesContext(connection) as queries:
                    related = [getattr(item, name) for name in engine._ITEM_RELATIONS]
                assert not queries.captured_queries
                for mine, theirs in zip(
                    related, [getattr(other, n) for n in engine._ITEM_RELATIONS], strict=True
                ):
                    assert type(mine) is type(theirs) and state(mine) == state(theirs)
                compared += 1
    assert compared > 100
    assert engine._SQLite.items(backend, []) == {}
