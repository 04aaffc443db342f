"""The project's browser fixtures for the assistant journey."""

import pytest

from tests.browser.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    browser,
    fast_password_hashing,
    new_page,
    site,
    static_root_exists,
)

from ..conftest import REGIONS, SLICE


@pytest.fixture
def demo(site):  # noqa: F811
    """The demo slice, committed so the live server thread sees it (flushed afterwards)."""
    from govhall.demo.catalog.loader import load_demo

    load_demo(keys=SLICE, regions=REGIONS)
    return site


@pytest.fixture(autouse=True)
def no_second_factor(settings, monkeypatch):
    """No staff second factor (the accounts app tests it) and the consultation desk open
    whatever the clock says (the written path has its own tests)."""
    from govhall.assistant.services import consultation

    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    monkeypatch.setattr(consultation, "is_open", lambda moment: True)
