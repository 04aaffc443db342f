"""A slice of the demo catalogue, loaded once per test module and rolled back after it.

The slice (business licence, food licence, ID card, marriage, restaurant journey...)
in the province, Jiangmen, Chaozhou and two districts is enough for every search rule,
and loads in seconds. Each test still runs in its own savepoint (pytest-django's
``db``), so tests cannot see each other's changes.
"""

from __future__ import annotations

import pytest
from django.db import transaction

KEYS = [
    "company-registration",
    "company-change-registration",
    "sole-trader-registration",
    "food-business-licence-001",
    "food-business-licence-002",
    "seal-engraving-filing",
    "tax-registration-info",
    "invoice-application",
    "sewage-discharge-permit",
    "fire-safety-inspection",
    "outdoor-signboard",
    "liquor-retail",
    "tobacco-retail",
    "employer-social-insurance",
    "employment-registration-company",
    "id-card-001",
    "marriage-registration",
    "newborn-household-registration",
    "birth-medical-certificate",
    "housing-fund-withdrawal",
    "disability-certificate",
    "household-transfer",
    "tax-clearance",
]
REGIONS = ["440000", "440700", "445100", "440703", "445102"]


@pytest.fixture(scope="module")
def demo_catalog(django_db_setup, django_db_blocker):
    from govhall.demo.catalog.loader import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        report = load_demo(keys=KEYS, regions=REGIONS)
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def catalog(demo_catalog, db):
    """The demo slice, inside the test's own savepoint."""
    return demo_catalog
