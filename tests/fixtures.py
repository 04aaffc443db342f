"""Fixtures an app's tests share by importing them into the app's conftest (pytest finds
fixtures by name there); browser fixtures are in ``tests/browser/fixtures.py``."""

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start and end each test with an empty cache (throttle counts, cached lists live
    there), whichever cache backend the tests run with."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
