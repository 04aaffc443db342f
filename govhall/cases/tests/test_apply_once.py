"""The whole application in one call (一次提交): ``applications.apply`` and its API."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from govhall.core import context
from govhall.core.models import AuditEntry
from govhall.core.services import audit
from govhall.records.models import OutboxMessage, ProcessRecord
from tests.factories import bearer_header

from ..models import Application, ApplicationMaterial, Case, CaseState
from ..services import applications
from . import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"
CONTACT = {"contact_phone": "13800138000", "delivery": "electronic"}


def test_apply_opens_the_case_in_one_transaction_with_one_record_and_one_audit_entry():
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    records, entries = ProcessRecord.objects.count(), AuditEntry.objects.count()

    application, (case,) = applications.apply(
        identity, item=item, answers=dict(f.ANSWERS), contact=CONTACT, materials=files
    )

    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED and application.submitted_at
    assert application.answers == f.ANSWERS
    assert set(application.materials.values_list("key", flat=True)) == set(files)
    assert case.state == CaseState.SUBMITTED and case.application == application
    assert case.number.startswith(item.region_id[:6]) and case.acceptance_due
    assert case.steps.get().name == "受理"
    assert ProcessRecord.objects.count() == records + 1
    record = ProcessRecord.objects.get(case_number=case.number)
    assert record.event == "submit" and OutboxMessage.objects.filter(record=record).exists()
    assert sorted(record.payload["details"]["materials"]) == sorted(s.title for s in files.values())
    assert AuditEntry.objects.count() == entries + 1
    assert not list(audit.verify_chain())


def test_a_failed_check_keeps_nothing_and_names_every_field():
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    first_key = next(iter(files))
    missing = {k: v for k, v in files.items() if k != first_key}
    before = [m.objects.count() for m in (Application, ApplicationMaterial, Case)]

    with pytest.raises(ValidationError) as refused:
        applications.apply(
            identity, item=item, answers={"married": False}, contact=CONTACT, materials=missing
        )

    fields = refused.value.message_dict
    assert fields["form.household_size"] == ["“家庭人口”为必填项。"]
    assert fields[f"materials.{first_key}"] == [f"请提供“{files[first_key].title}”。"]
    assert [m.objects.count() for m in (Application, ApplicationMaterial, Case)] == before


def test_someone_elses_locker_file_is_refused():
    identity, other, item = f.applicant(), f.applicant(), f.item()
    files = f.locker(other, item)
    with pytest.raises(ValidationError) as refused:
        applications.apply(
            identity, item=item, answers=dict(f.ANSWERS), contact=CONTACT, materials=files
        )
    assert "file" in refused.value.message_dict
    assert not Application.objects.filter(user=identity.user).exists()


def test_the_same_idempotency_key_returns_the_first_cases():
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    kwargs = {"answers": dict(f.ANSWERS), "contact": CONTACT, "materials": files}
    application, cases = applications.apply(
        identity, item=item, idempotency_key="once-3b9c", **kwargs
    )
    again, replayed = applications.apply(identity, item=item, idempotency_key="once-3b9c", **kwargs)
    assert again == application and replayed == cases
    assert Case.objects.filter(user=identity.user).count() == 1


def test_a_replay_answers_as_the_first_request_after_the_item_was_suspended():
    """The key is not read before the work: a check that would now refuse (the item
    suspended since) still gives the first request's cases, and a new key is refused."""
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    kwargs = {"answers": dict(f.ANSWERS), "contact": CONTACT, "materials": files}
    application, cases = applications.apply(
        identity, item=item, idempotency_key="once-7d1e", **kwargs
    )
    item.status = item.Status.SUSPENDED
    item.save(update_fields=["status"])

    again, replayed = applications.apply(identity, item=item, idempotency_key="once-7d1e", **kwargs)
    assert again == application and replayed == cases and replayed.replayed
    with pytest.raises(ValidationError) as refused:
        applications.apply(identity, item=item, idempotency_key="once-8f2a", **kwargs)
    assert "item" in refused.value.message_dict
    assert Case.objects.filter(user=identity.user).count() == 1


def test_the_api_takes_the_whole_application_once():
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    client = Client()
    body = {
        "item": item.implementation_code,
        "answers": f.ANSWERS,
        **CONTACT,
        "materials": [{"key": k, "locker_file": str(v.public_id)} for k, v in files.items()],
    }
    url = "/api/v1/applications/apply"
    headers = {**bearer_header(identity.user), "HTTP_IDEMPOTENCY_KEY": "mobile-1"}

    assert client.post(url, body, content_type=JSON).status_code == 401
    first = client.post(url, body, content_type=JSON, **headers)
    assert first.status_code == 201, first.content
    (case,) = first.json()["cases"]
    assert case["state"] == "submitted" and case["number"]
    opened = Case.objects.get(number=case["number"])
    assert opened.user == identity.user
    # The token's user, not "system", is the actor: DRF authenticates after the middleware.
    entry = AuditEntry.objects.get(object_type="cases.case", object_id=str(opened.pk))
    assert (entry.actor_id, entry.actor_label) == (identity.user.pk, identity.user.username)
    assert context.current().user_id is None  # ... for that request only
    again = client.post(url, body, content_type=JSON, **headers)
    assert again.status_code == 200 and again.json() == first.json()
    assert Case.objects.filter(user=identity.user).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"answers": {"household_size": "三口人"}}, "answers.household_size", "invalid"),
        ({"answers": {"married": False}}, "answers.household_size", "required"),
        ({"answers": "全家三口"}, "answers", "not_a_dict"),
        ({"item": "", "bundle": ""}, "item", "invalid"),
        ({"item": "114400000000000000XK00000000"}, "item", "unknown"),
        ({"delivery": "drone"}, "delivery", "invalid_choice"),
        ({"materials": [{"key": "N:申请书", "locker_file": "f" * 32}]}, None, "unknown"),
        ({"materials": [{"key": "N:申请书"}]}, "materials.0.locker_file", "required"),
    ],
)
def test_the_api_names_the_field_and_keeps_nothing(change, field, code):
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    body = {
        "item": item.implementation_code,
        "answers": f.ANSWERS,
        **CONTACT,
        "materials": [{"key": k, "locker_file": str(v.public_id)} for k, v in files.items()],
        **change,
    }
    response = Client().post(
        "/api/v1/applications/apply", body, content_type=JSON, **bearer_header(identity.user)
    )
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors and all(e["message"] for e in errors)
    if field is None:
        assert errors[0]["field"] == "materials.0.locker_file"
        assert "材料库中没有" in errors[0]["message"]
    else:
        assert {e["field"] for e in errors} >= {field}, errors
        assert any(e["field"] == field and e["code"] == code for e in errors), errors
    assert not Application.objects.filter(user=identity.user).exists()
