"""Idempotency keys belong to one user and one endpoint; the same key with a different
request is a conflict (409), never a replay of another application; eight parallel
requests with one key give one 201 and seven replays."""

import pytest
from django.test import Client

from tests.factories import bearer_header

from ..models import Application, Case, SubmissionKey
from ..services import applications
from . import factories as f
from .idempotency_script import THREADS
from .writers import run_writers

JSON = "application/json"
URL = "/api/v1/applications/apply"


def body_for(identity, item, **changes) -> dict:
    files = f.locker(identity, item)
    body = {
        "item": item.implementation_code,
        "answers": dict(f.ANSWERS),
        "contact_phone": "13800138000",
        "delivery": "electronic",
        "materials": [{"key": k, "locker_file": str(v.public_id)} for k, v in files.items()],
    }
    body.update(changes)
    return body


def post(identity, body, key):
    headers = {**bearer_header(identity.user), "HTTP_IDEMPOTENCY_KEY": key}
    return Client().post(URL, body, content_type=JSON, **headers)


@pytest.mark.django_db
def test_two_users_may_use_the_same_key_each_for_their_own_application():
    """Before: the key was unique across users and the second user got 500 on every try."""
    item = f.item()
    one, two = f.applicant(), f.applicant()
    body_one, body_two = body_for(one, item), body_for(two, item)
    first = post(one, body_one, "shared-key")
    second = post(two, body_two, "shared-key")
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert first.json()["cases"] != second.json()["cases"]
    # retries answer each user with their own cases
    for identity, body, answer in ((one, body_one, first), (two, body_two, second)):
        retry = post(identity, body, "shared-key")
        assert retry.status_code == 200 and retry.json() == answer.json()
        assert Case.objects.filter(user=identity.user).count() == 1
    assert SubmissionKey.objects.filter(key="shared-key").count() == 2


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_a_409_naming_the_conflict():
    identity, item = f.applicant(), f.item()
    body = body_for(identity, item)
    first = post(identity, body, "k-77")
    assert first.status_code == 201
    changed = {**body, "answers": {**f.ANSWERS, "household_size": 4}}
    conflict = post(identity, changed, "k-77")
    assert conflict.status_code == 409, conflict.content
    (error,) = conflict.json()["errors"]
    assert (error["field"], error["code"]) == ("Idempotency-Key", "idempotency_conflict")
    assert "k-77" in error["message"] and "内容不同" in error["message"]
    assert Case.objects.filter(user=identity.user).count() == 1
    assert Application.objects.filter(user=identity.user).count() == 1
    replay = post(identity, body, "k-77")
    assert replay.status_code == 200 and replay.json() == first.json()


@pytest.mark.django_db
def test_keys_are_scoped_per_endpoint():
    """The same key on the draft path's submit and on apply are two different requests."""
    identity, item = f.applicant(), f.item()
    assert post(identity, body_for(identity, item), "per-endpoint").status_code == 201
    draft = applications.start(identity, item=item)
    f.fill(draft, identity)
    submitted = Client().post(
        f"/api/v1/applications/{draft.public_id}/submit",
        **bearer_header(identity.user),
        HTTP_IDEMPOTENCY_KEY="per-endpoint",
    )
    assert submitted.status_code == 201, submitted.content
    assert Case.objects.filter(user=identity.user).count() == 2
    assert set(
        SubmissionKey.objects.filter(key="per-endpoint").values_list("endpoint", flat=True)
    ) == {
        "apply",
        "submit",
    }


def test_eight_parallel_requests_with_one_key_give_one_201_and_seven_replays(
    tmp_path, settings, transactional_reference_data
):
    """On PostgreSQL eight threads hit the API on the test database itself; SQLite's
    in-memory test database fails a waiting writer at once instead of queueing, so there
    it runs in a child process against a file database set up as in production (WAL,
    IMMEDIATE transactions: the writers queue, one after the other)."""
    result = run_writers(
        "govhall.cases.tests.idempotency_script", settings=settings, tmp_path=tmp_path
    )
    assert result["failures"] == []
    assert result["statuses"] == [200] * (THREADS - 1) + [201]
    assert len(result["case_lists"]) == 1
    assert (result["cases"], result["applications"]) == (1, 1)
