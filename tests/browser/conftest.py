"""Fixtures for the browser tests in this folder; they live in fixtures.py so that app
browser tests can share the same chromium (see that module)."""

from tests.browser.fixtures import (  # noqa: F401  (pytest finds fixtures by name)
    browser,
    fast_password_hashing,
    new_page,
    page,
    site,
    static_root_exists,
)
