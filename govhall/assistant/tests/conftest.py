"""The demo catalogue, loaded once per test module and rolled back after it.

The assistant is judged on the real demo guides (their clauses, synonyms and regions),
so the tests load them through the catalogue's own loader, as ``make run`` does.
"""

from __future__ import annotations

import pytest
from django.db import transaction

# The regions of the demo halls: the province, Jiangmen with 蓬江区, Chaozhou with 湘桥区.
REGIONS = ["440000", "440700", "445100", "440703", "445102"]
SLICE = [
    "minimum-living-allowance",
    "marriage-registration",
    "divorce-registration",
    "company-registration",
    "newborn-household-registration",
    "id-card",
    "housing-fund-withdrawal",
    "food-business-licence",
]


@pytest.fixture(scope="module")
def demo_slice(django_db_setup, django_db_blocker):
    from govhall.demo.catalog.loader import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(keys=SLICE, regions=REGIONS)
        transaction.set_rollback(True)


@pytest.fixture
def catalog(demo_slice, db):
    return demo_slice


@pytest.fixture(scope="module")
def demo_catalogue(django_db_setup, django_db_blocker):
    """The whole demo catalogue, as ``make run`` loads it (for the evaluation)."""
    from govhall.demo.catalog.loader import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def full_catalog(demo_catalogue, db):
    return demo_catalogue
