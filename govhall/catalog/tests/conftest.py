"""The browser fixtures of tests/browser, for the catalogue's own browser journeys."""

import pytest

from tests.browser.conftest import (  # noqa: F401 (pytest fixtures)
    browser,
    fast_password_hashing,
    new_page,
    site,
    static_root_exists,
)


@pytest.fixture
def restore_reference_data(django_db_blocker):
    """Reload the reference data a live-server test flushed, so later tests still find it.

    Request it before ``site``: its teardown then runs after the flush.
    """
    yield
    import conftest as root

    with django_db_blocker.unblock():
        root._load_reference_data()
