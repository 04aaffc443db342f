"""Bearer tokens in the header only, at userinfo as at the API; tokens never in logs."""

import logging

import pytest
from django.test import Client

from govhall.core.logging import MaskIdNumbersFilter, mask_text
from tests.factories import bearer_header

from .factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    person = PersonFactory(verified=True)
    header = bearer_header(person.user, scope="openid profile id_number")
    return person, header["HTTP_AUTHORIZATION"].split()[1]


def test_userinfo_answers_a_header_token(token):
    person, value = token
    response = Client().get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {value}")
    assert response.status_code == 200
    assert response.json()["id_number"] == person.id_number


@pytest.mark.parametrize("method", ["get", "post"])
def test_userinfo_refuses_a_token_in_the_query_string(token, method):
    _, value = token
    response = getattr(Client(), method)(f"/o/userinfo/?access_token={value}")
    assert response.status_code in (401, 403)
    assert b"id_number" not in response.content


def test_userinfo_refuses_a_token_in_a_form_body(token):
    _, value = token
    response = Client().post("/o/userinfo/", {"access_token": value})
    assert response.status_code in (401, 403)
    assert b"id_number" not in response.content


def test_the_api_refuses_a_token_in_a_form_body(token):
    _, value = token
    response = Client().post("/api/v1/applications/", {"access_token": value, "item": "X"})
    assert response.status_code == 401


def test_logged_urls_carry_no_token_and_no_id_number():
    line = (
        "GET /o/logout/?id_token_hint=eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiIxIn0.c2ln"
        "&post_logout_redirect_uri=https://x/ HTTP/1.1 user 440703199005170018"
    )
    masked = mask_text(line)
    assert "eyJ" not in masked and "id_token_hint=[已隐去]" in masked
    assert "440703199005170018" not in masked
    record = logging.LogRecord("django.server", logging.INFO, "", 0, "%s", (line,), None)
    MaskIdNumbersFilter().filter(record)
    assert "eyJ" not in record.getMessage()
    assert mask_text("/o/userinfo/?access_token=abc123") == "/o/userinfo/?access_token=[已隐去]"
