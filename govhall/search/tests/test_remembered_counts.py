"""The count of a query is remembered per index generation (SQLite and PostgreSQL):
never a stale count.

These tests commit (a count is only remembered outside transactions), so they load
their own small slice and the reference data is restored after the flush.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.catalog.models import Item
from govhall.search.engine import index_item, remove_item, search_items

pytestmark = pytest.mark.django_db(transaction=True)

LICENCE = "企业设立登记（营业执照核发）"


@pytest.fixture
def licences(transactional_reference_data):
    from govhall.demo.catalog.loader import load_demo

    load_demo(
        keys=["company-registration", "sole-trader-registration"], regions=["440000", "440700"]
    )


def counted(query: str) -> tuple[int, bool]:
    """The number of matches, and whether the index was counted for it."""
    with CaptureQueriesContext(connection) as queries:
        total = len(search_items(query))
    return total, any("count(*)" in q["sql"] for q in queries.captured_queries)


def test_a_count_is_remembered_until_the_index_changes(licences):
    total, counted_now = counted("营业执照")
    assert total > 1 and counted_now
    assert counted("营业执照") == (total, False)

    item = Item.objects.filter(name=LICENCE).first()
    remove_item(item)
    assert counted("营业执照") == (total - 1, True)
    assert counted("营业执照") == (total - 1, False)
    assert index_item(item) is True
    assert counted("营业执照") == (total, True)


def test_counts_inside_a_transaction_are_not_remembered(licences):
    total, _ = counted("营业执照")
    item = Item.objects.filter(name=LICENCE).first()
    with transaction.atomic():
        remove_item(item)
        assert counted("营业执照") == (total - 1, True)
        assert counted("营业执照") == (total - 1, True)
        transaction.set_rollback(True)
    assert counted("营业执照")[0] == total


@pytest.mark.parametrize("query", ["营叶执照", "营业执熙"])
def test_a_search_reads_the_index_generation_once_through_its_fallbacks(licences, query):
    """The exact plan finds nothing; the fallback that does is checked against the
    generation the first check read, not a new read per plan. A change of the index is
    still seen by the next search."""
    from govhall.search.engine import search
    from govhall.search.fulltext import GENERATION_TABLE

    def generation_reads(statements) -> int:
        return sum(GENERATION_TABLE in q["sql"] for q in statements)

    first = search(query)  # the counts read and remembered
    assert first.mode in ("pinyin", "corrected") and len(first) > 0
    with CaptureQueriesContext(connection) as queries:
        again = search(query)
    assert (again.mode, len(again)) == (first.mode, len(first))
    assert generation_reads(queries.captured_queries) == 1
    assert not [q for q in queries.captured_queries if "count(*)" in q["sql"]]

    item = Item.objects.filter(name=LICENCE).first()
    remove_item(item)
    assert len(search(query)) == len(first) - 1
