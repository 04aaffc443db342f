"""Each case test starts and ends with an empty cache, so throttles of one test do not leak
into another. The staff tests' ``desk`` fixture and the browser tests' shared chromium
and live server are registered here for every case test."""

from tests.browser.fixtures import (  # noqa: F401  (the shared chromium and live server)
    browser,
    fast_password_hashing,
    new_page,
    site,
    static_root_exists,
)
from tests.fixtures import _empty_cache  # noqa: F401  (autouse: an empty cache around each test)

from .staff_support import desk  # noqa: F401  (the staff desk: pytest.mark.usefixtures("desk"))
