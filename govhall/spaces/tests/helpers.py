"""Shared test data of the two pages: signed-in clients, concluded cases, licences."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from govhall.accounts.services import acting
from govhall.licences.services import issuing
from govhall.licences.tests import factories as lf
from tests import common as cf

COMPANY_TYPE = f"{lf.DEFINING_BODY_CODE}003"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(identity) -> Client:
    client = Client()
    client.force_login(identity.user)
    if identity.company is not None:
        session = client.session
        session[acting.SESSION_KEY] = identity.company.pk
        session.save()
    return client


def person_licence(identity, valid_until: datetime.date | None = None):
    dept = cf.department("江门市民政局")
    licence = issuing.issue(
        lf.licence_type(issuers=[dept]),
        dept,
        issuing.Holder.of_person(identity.person),
        data={"household_size": 3, "spouse_name": "李小红"},
        valid_from=datetime.date(2026, 1, 1),
        valid_until=valid_until,
    )
    return licence


def company_licence(company, valid_until: datetime.date | None = None):
    dept = cf.department("江门市食品药品监督管理局")
    licence_type = lf.licence_type(
        COMPANY_TYPE,
        "食品经营许可证",
        issuers=[dept],
        holder_kind="company",
        fields=[],
        number_prefix="JY",
    )
    return issuing.issue(
        licence_type,
        dept,
        issuing.Holder.of_company(company),
        data={},
        valid_from=datetime.date(2026, 1, 1),
        valid_until=valid_until,
    )
