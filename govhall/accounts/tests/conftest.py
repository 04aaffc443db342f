"""Identity test fixtures: SMS into memory, fast password hashing."""

import pytest

from govhall.accounts import sms
from tests.browser.fixtures import (  # noqa: F401  (the shared chromium for browser tests)
    browser,
    new_page,
    site,
    static_root_exists,
)


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.GOVHALL_SMS_BACKEND = "govhall.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~1 s a check here; tests check many passwords.
    bcrypt stays available for the legacy-import tests."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
    ]
