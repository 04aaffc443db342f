"""``uses.held`` (the case engine's held e-licences) is one statement compiled once a
connection, giving what the queryset over ``valid_licences`` gives."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.cases.services.facts import HeldLicence
from govhall.cases.tests import factories as cf

from ..services import issuing, uses
from . import factories as f

pytestmark = pytest.mark.django_db


def _by_queryset(person, company=None) -> list[HeldLicence]:
    """The read as the queryset gives it (``uses.held`` before it was compiled once)."""
    today = timezone.localdate()
    rows = uses.valid_licences(person, company).order_by("-created_at")
    return [
        HeldLicence(type_code=c, identifier=i, name=n, number=no, issuer=iss)
        for c, i, n, no, iss, until in rows.values_list(*uses.HELD_COLUMNS)
        if until is None or until >= today
    ]


def test_held_licences_are_the_querysets_in_one_statement_compiled_once():
    first, identity = f.person_licence()
    second, _ = f.person_licence(identity, valid_until=datetime.date(2099, 12, 31))
    f.person_licence(identity, valid_until=datetime.date(2026, 1, 2))  # expired
    revoked, _ = f.person_licence(identity)
    clerk = cf.handlers(cf.department("江门市民政局"))[0]
    issuing.revoke(revoked, clerk, reason="信息有误")
    other, someone = f.person_licence()
    agent = cf.company_agent()
    held_by_company = f.company_licence(agent.company)

    with CaptureQueriesContext(connection) as seen:
        mine = uses.held(identity.person)
        again = uses.held(identity.person)
        theirs = uses.held(someone.person)
        company = uses.held(agent.person, agent.company)
    assert len(seen.captured_queries) == 4
    assert seen.captured_queries[0]["sql"] == seen.captured_queries[1]["sql"]

    assert mine == again == _by_queryset(identity.person)
    assert [h.identifier for h in mine] == [
        second.current.identifier,
        first.current.identifier,
    ]  # valid and unexpired, the newest first
    assert theirs == _by_queryset(someone.person)
    assert [h.identifier for h in theirs] == [other.current.identifier]
    assert company == _by_queryset(agent.person, agent.company)
    assert [h.identifier for h in company] == [held_by_company.current.identifier]
    assert uses.held(None) == []


def test_a_licence_changed_after_a_read_is_read_fresh():
    licence, identity = f.person_licence()
    assert [h.identifier for h in uses.held(identity.person)] == [licence.current.identifier]
    clerk = cf.handlers(cf.department("江门市民政局"))[0]
    issuing.revoke(licence, clerk, reason="信息有误")
    assert uses.held(identity.person) == []
