import pytest

from govhall.accounts import sms


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS codes go to memory (``govhall.accounts.tests.helpers.last_code`` reads them)."""
    settings.GOVHALL_SMS_BACKEND = "govhall.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters live in the cache: each test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
