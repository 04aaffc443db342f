"""Keep the search index (``govhall.search.engine``, owned by the search app) in step.

The engine is imported lazily so the catalogue works before (or without) the search
app; calls run after the surrounding transaction commits so a rolled-back publish is
never indexed. A failing index call is logged, not raised: the catalogue change
stands and ``manage.py`` reindexing can repair the index.
"""

from __future__ import annotations

import importlib
import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def engine():
    try:
        return importlib.import_module("govhall.search.engine")
    except ModuleNotFoundError as exc:
        if exc.name in ("govhall.search", "govhall.search.engine"):
            return None
        raise


def _call(name: str, item) -> None:
    module = engine()
    if module is None or not hasattr(module, name):
        return

    def run():
        try:
            getattr(module, name)(item)
        except Exception:
            logger.exception("search engine %s failed for item %s", name, item.pk)

    transaction.on_commit(run)


def index(item) -> None:
    _call("index_item", item)


def remove(item) -> None:
    _call("remove_item", item)
