"""Each case test starts with an empty cache, so throttles of earlier tests do not leak."""

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
