"""A full batch may be larger than the site-wide limit on request bodies (2.5 MB): the
exchange reads up to 20 MB; beyond it, 413 before reading."""

import json

import pytest

from .conftest import push

pytestmark = pytest.mark.django_db


def test_a_three_megabyte_batch_is_read(county_token, empty_cache, settings):
    body = json.dumps({"records": [{"padding": "x" * 3000} for _ in range(1000)]})
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = push(county_token, body)
    assert response.status_code == 200, response.content[:300]
    answer = response.json()
    assert answer["rejected"] == 1000 and len(answer["results"]) == 1000  # read, each checked


def test_over_twenty_megabytes_is_refused_unread(county_token, empty_cache):
    response = push(county_token, "[]", CONTENT_LENGTH=str(21 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "body_too_large"
