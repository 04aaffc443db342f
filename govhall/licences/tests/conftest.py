"""Every licence test keeps the files it makes (signed PDFs, bundles, scans) in a
temporary media folder, and starts and ends with an empty cache: throttle counts and
the signed lists live there. The browser tests' shared chromium and live server are
imported here for all of them."""

import pytest

from tests.browser.fixtures import (  # noqa: F401  (the shared chromium and live server)
    browser,
    fast_password_hashing,
    new_page,
    site,
    static_root_exists,
)
from tests.fixtures import _empty_cache  # noqa: F401  (autouse: an empty cache around each test)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
