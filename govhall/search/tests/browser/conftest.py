"""The project's browser fixtures (tests/browser/conftest.py) for the catalogue journeys."""

import pytest

from tests.browser.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    browser,
    fast_password_hashing,
    new_page,
    site,
    static_root_exists,
)

from ..conftest import KEYS

# The restaurant journey and the business licence, in the province, Jiangmen and 蓬江区.
REGIONS = ["440000", "440700", "440703"]


@pytest.fixture
def demo(site):  # noqa: F811
    """The demo slice, committed so the live server thread sees it (flushed afterwards)."""
    from govhall.demo.catalog.loader import load_demo

    load_demo(keys=KEYS, regions=REGIONS)
    return site
