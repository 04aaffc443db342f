"""The case benchmark's HTTP clients against the live server: the ceiling client
(``GET /api/v1/me`` with a bearer token) counts only answered calls and refuses to count
an error as throughput. (``python -m bench cases`` itself needs PostgreSQL and a
million cases, so it is not part of the suite.)"""

from __future__ import annotations

import urllib.parse

import pytest

from bench.cases_apply import ceiling_client
from bench.cases_clients import run_clients
from govhall.cases.tests import factories as f
from tests.factories import bearer_header


@pytest.mark.django_db(transaction=True)
def test_the_ceiling_client_calls_me_and_fails_loudly(live_server):
    port = urllib.parse.urlsplit(live_server.url).port
    token = bearer_header(f.applicant().user)["HTTP_AUTHORIZATION"].removeprefix("Bearer ")

    result = run_clients(2, ceiling_client(port, [token]), calls=3)
    assert not result.errors and result.rate > 0
    assert len(result.samples) == 2 * 3  # every timed call was answered with 200

    refused = run_clients(1, ceiling_client(port, ["not-a-token"]), calls=1)
    assert refused.errors and "GET /api/v1/me → 401" in refused.errors[0]
