"""Browser-test fixtures, shared by every browser test of the project.

Debian's ``/usr/bin/chromium`` driven by Playwright from PyPI (never a downloaded
browser), one per test process (per xdist worker), a fresh context per test, against
pytest-django's ``live_server``. The reference data comes from the root conftest's
``transactional_reference_data`` because the server thread only sees committed rows.

tests/browser/conftest.py imports these; an app's browser tests import them into their
own conftest the same way (or the root conftest registers this module with
``pytest_plugins = ["tests.browser.fixtures"]``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from govhall.portal.context_processors import ELDER_COOKIE
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP

# One Playwright driver and one chromium per process, however many conftests import these
# fixtures: a second sync_playwright() in the same thread fails ("using Playwright Sync API
# inside the asyncio loop"), so every `browser` fixture definition shares this one.
_shared: dict = {"users": 0, "playwright": None, "browser": None}


def _launch():
    if not CHROMIUM.exists() and not shutil.which(str(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install it with `make browser-deps` "
            "(apt-get install chromium fonts-noto-cjk); the browser tests never download one.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread from here on;
    # without this Django refuses ORM calls ("You cannot call this from an async context")
    # from the tests that follow in this process. Set only once a browser is needed.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        manager.stop()
        raise
    _shared.update(playwright=manager, browser=browser)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's chromium, launched once per process; fails (never skips) when missing."""
    if _shared["browser"] is None:
        _launch()
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if _shared["users"] == 0:
        _shared["browser"].close()
        _shared["playwright"].stop()
        _shared.update(playwright=None, browser=None)


@pytest.fixture(scope="session")
def static_root_exists() -> None:
    """WhiteNoise warns (an error under filterwarnings=error) when STATIC_ROOT is missing.

    With DEBUG off in tests it scans STATIC_ROOT, which exists only after collectstatic;
    the live server's own static handler serves the files from static/ meanwhile.
    """
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def fast_password_hashing(settings):
    """Production-strength PBKDF2 costs about a second per hash on this machine; these
    tests check the sign-in journey, not the hash strength (the identity tests do that)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(
    static_root_exists, fast_password_hashing, live_server, transactional_reference_data
) -> str:
    """Base URL of the live server, with the regions, halls and departments committed."""
    return live_server.url


@pytest.fixture
def new_page(browser, site) -> Iterator[Callable]:
    """Open a page in a fresh context: ``new_page(viewport=PHONE, elder=True)``."""
    contexts = []

    def open_page(viewport: dict | None = None, elder: bool = False):
        context = browser.new_context(
            base_url=site, viewport=viewport or DESKTOP, locale="zh-CN", reduced_motion="reduce"
        )
        context.set_default_timeout(20_000)
        if elder:
            context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": site}])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page in its own context."""
    return new_page()
