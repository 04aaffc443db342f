"""The catalogue benchmark's memory and size report (the benchmark itself runs with
``python -m bench catalog``, not in the test suite)."""

import pytest
from django.db import connection

from bench import catalog_search


def test_peak_rss_is_the_process_size_in_bytes():
    assert catalog_search.peak_rss() > 10 * 1024 * 1024
    assert catalog_search.mib(3 * 1024 * 1024) == "3.0 MiB"


@pytest.mark.django_db
def test_sizes_count_the_item_and_index_tables_after_generating():
    from govhall.demo.catalog.loader import load_themes
    from govhall.demo.generators.items import generate

    load_themes()
    before = dict(catalog_search.sizes())
    generate(300)
    after = dict(catalog_search.sizes())
    suffix = "(with indexes)" if connection.vendor == "sqlite" else "(total)"
    for table in [*catalog_search.ITEM_TABLES, "search_itemdocument"]:
        assert after[f"{table} {suffix}"] > before[f"{table} {suffix}"], table
    index = (
        "search_item_fts (FTS5 index)"
        if connection.vendor == "sqlite"
        else ("  of which the GIN index")
    )
    assert after[index] > 0
    parts = sum(v for k, v in after.items() if k != "database" and not k.startswith("  "))
    assert after["database"] >= parts
