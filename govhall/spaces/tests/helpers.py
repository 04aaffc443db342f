"""Shared test data of the two pages: signed-in clients, concluded cases, licences."""

from __future__ import annotations

import datetime

import pytest

from govhall.licences.tests import factories as lf
from govhall.licences.tests.factories import COMPANY_TYPE  # noqa: F401  (the tests' namespace)
from tests.common import signed_in  # noqa: F401  (the tests' namespace)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def person_licence(identity, valid_until: datetime.date | None = None):
    return lf.person_licence(identity, valid_until=valid_until, spouse_name="李小红")[0]


def company_licence(company, valid_until: datetime.date | None = None):
    return lf.company_licence(
        company, valid_from=datetime.date(2026, 1, 1), valid_until=valid_until
    )
