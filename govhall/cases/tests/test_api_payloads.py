"""The one-call application's cheaper parts give what the general ones gave.

``POST /api/v1/applications/apply`` (and ``…/submit``) render their answer with
``case_summary`` instead of building ``SubmissionOut``/``CaseSummary`` per response, and
read the item's published version and materials from the process's copies
(``catalog.services.published``). The answer must be what the serializers give, key
order included, and the copies must be what the database holds, for this request only.
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from govhall.catalog.models import ItemVersion, Material
from govhall.catalog.services import documents, items, published
from tests.factories import bearer_header

from ..api.serializers.applications import SubmissionOut
from ..api.serializers.cases import CaseSummary, case_summary
from ..models import Application, Case
from ..services import applications, handling
from . import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"
CONTACT = {"contact_phone": "13800138000", "delivery": "electronic"}
URL = "/api/v1/applications/apply"


def _body(item, files, **extra) -> dict:
    return {
        "item": item.implementation_code,
        "answers": f.ANSWERS,
        **CONTACT,
        "materials": [{"key": k, "locker_file": str(v.public_id)} for k, v in files.items()],
        **extra,
    }


def _serialized(data) -> bytes:
    return JSONRenderer().render(data)


def test_the_answer_is_what_submission_out_renders_byte_for_byte():
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    headers = {**bearer_header(identity.user), "HTTP_IDEMPOTENCY_KEY": "payload-1"}
    first = Client().post(URL, _body(item, files), content_type=JSON, **headers)
    assert first.status_code == 201, first.content
    application = Application.objects.get(public_id=first.json()["application"])
    cases = list(Case.objects.filter(application=application).order_by("pk"))
    expected = SubmissionOut(
        {"application": application.public_id, "bundle_case": None, "cases": cases}
    ).data
    assert first.content == _serialized(expected)
    # A replay reads the cases back from the database: the same bytes again.
    again = Client().post(URL, _body(item, files), content_type=JSON, **headers)
    assert again.status_code == 200 and again.content == first.content


def test_a_bundles_answer_is_what_submission_out_renders():
    members = [
        f.item(f.department("江门市民政局"), name="最低生活保障"),
        f.item(f.department("江门市公安局"), name="户籍证明"),
    ]
    f.bundle(members, code="payload-bundle")
    identity = f.applicant()
    client = f.signed_in(identity)
    created = client.post("/api/v1/applications/", {"bundle": "payload-bundle"}, content_type=JSON)
    application = Application.objects.get(public_id=created.json()["public_id"])
    f.fill(application, identity)
    submitted = client.post(f"/api/v1/applications/{application.public_id}/submit")
    assert submitted.status_code == 201, submitted.content
    cases = list(Case.objects.filter(application=application).order_by("pk"))
    assert len(cases) == 2 and cases[0].bundle_case_id
    expected = SubmissionOut(
        {
            "application": application.public_id,
            "bundle_case": cases[0].bundle_case.number,
            "cases": cases,
        }
    ).data
    assert submitted.content == _serialized(expected)


def test_case_summary_is_case_summary_serializer_in_every_state():
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = f.handlers(dept)
    identity, item = f.applicant(), f.item(dept)
    files = f.locker(identity, item)
    seen = []
    _application, (case,) = applications.apply(
        identity, item=item, answers=dict(f.ANSWERS), contact=CONTACT, materials=files
    )
    seen.append(case)  # in memory, as the one call answers
    handling.accept(case, clerk)
    seen.append(Case.objects.get(pk=case.pk))  # accepted: accepted_at, due date
    handling.complete_step(case, clerk, opinion="材料齐全，拟同意")
    handling.complete_step(case, reviewer, opinion="审核通过")
    handling.decide(case, approver, decision="approve", opinion="同意")
    handling.conclude(case, approver)
    seen.append(Case.objects.get(pk=case.pk))  # concluded, with a decision
    empty = Case.objects.get(pk=case.pk)
    empty.accepted_at = empty.concluded_at = empty.promised_due = empty.statutory_due = None
    seen.append(empty)
    for one in seen:
        expected = CaseSummary(one).data
        assert case_summary(one) == expected
        assert list(case_summary(one)) == list(expected)
        assert _serialized(case_summary(one)) == _serialized(expected)
    assert seen[2].decision and seen[2].concluded_at and seen[1].accepted_at


def _read(item):
    return published.attach([published.items().get(pk=item.pk)])[0]


def _materials(version) -> list[tuple]:
    return [(m.pk, m.code, m.name, m.required, m.source) for m in version.materials.all()]


def test_the_published_version_is_the_databases_and_each_request_has_its_own_copy():
    item = f.item()
    first = _read(item)
    stored = ItemVersion.objects.get(pk=item.current_id)
    assert first.current.pk == stored.pk
    for field in ItemVersion._meta.concrete_fields:
        assert getattr(first.current, field.attname) == getattr(stored, field.attname), field
    in_db = [
        (m.pk, m.code, m.name, m.required, m.source)
        for m in Material.objects.filter(version=stored).order_by("sort_order", "pk")
    ]
    assert _materials(first.current) == in_db and in_db
    # What one request changes on its copy, the next does not see.
    first.current.form_fields.append({"name": "x", "label": "x", "type": "text"})
    first.current.name = "改过"
    next(iter(first.current.materials.all())).name = "改过"
    with CaptureQueriesContext(connection) as seen:
        second = _read(item)
    assert not [q for q in seen.captured_queries if "catalog_material" in q["sql"]]
    assert not [q for q in seen.captured_queries if 'FROM "catalog_itemversion"' in q["sql"]]
    assert second.current is not first.current
    assert second.current.form_fields == stored.form_fields
    assert second.current.name == stored.name
    assert _materials(second.current) == in_db
    assert all(m.version is second.current for m in second.current.materials.all())


def test_a_new_published_version_is_read_not_the_copy_of_the_old_one():
    item = f.item()
    old = _read(item).current
    doc = documents.version_document(item.current)
    doc["materials"] = [
        {**doc["materials"][0], "code": "M99", "name": "新增的证明材料"},
        *doc["materials"],
    ]
    items.load_document(doc, publish=True, reason="测试：新版本")
    item.refresh_from_db()
    assert item.current_id != old.pk
    new = _read(item).current
    assert new.pk == item.current_id
    assert "新增的证明材料" in [m.name for m in new.materials.all()]
    assert "新增的证明材料" not in [m.name for m in old.materials.all()]
    probe = Application(item=_read(item))
    assert "N:新增的证明材料" in [n.key for n in applications.material_needs(probe)]


def test_a_draft_version_is_not_kept():
    item = f.item()
    draft = ItemVersion.objects.get(pk=item.current_id)
    draft.pk = None
    draft.state = ItemVersion.State.DRAFT
    draft.number += 1
    draft.save()
    published.with_materials([draft])
    assert (draft.pk, draft.updated_at) not in published._entries
    assert list(draft.materials.all()) == []


def test_the_warm_api_call_reads_neither_the_version_nor_its_materials():
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    client, headers = Client(), bearer_header(identity.user)
    assert client.post(URL, _body(item, files), content_type=JSON, **headers).status_code == 201
    with CaptureQueriesContext(connection) as seen:
        response = client.post(URL, _body(item, files), content_type=JSON, **headers)
    assert response.status_code == 201, response.content
    sql = [q["sql"] for q in seen.captured_queries]
    assert not [s for s in sql if 'FROM "catalog_material"' in s]
    assert not [s for s in sql if 'FROM "catalog_itemversion"' in s]
    assert json.loads(response.content)["cases"][0]["item_name"] == item.current.name


def _same_row(a, b, model) -> None:
    for field in model._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field


def test_the_item_by_code_is_the_querysets_without_compiling_again():
    """``published.item_by_code`` (a ``Prepared`` read) gives what ``items().first()``
    gives — every column, the department read with it, the version's stamp — for each
    code it is called with, compiled once per connection."""
    one, two = f.item(), f.item()
    with CaptureQueriesContext(connection) as seen:
        got = [published.item_by_code(one.implementation_code) for _ in range(2)]
        got.append(published.item_by_code(two.implementation_code))
    assert len(seen.captured_queries) == 3  # one statement each, the department joined
    assert len({q["sql"].split("WHERE")[0] for q in seen.captured_queries}) == 1
    for item, found in zip((one, one, two), got, strict=True):
        expected = published.items().filter(implementation_code=item.implementation_code).first()
        assert found.pk == item.pk and found._state.db == "default"
        assert not found._state.adding
        _same_row(found, expected, type(item))
        with CaptureQueriesContext(connection) as seen:
            _same_row(found.department, expected.department, type(expected.department))
        assert not seen.captured_queries  # read with the item
        assert getattr(found, published.STAMP) == getattr(expected, published.STAMP)
        assert getattr(found, published.STAMP) is not None
    assert got[0] is not got[1]  # each call its own instances


def test_the_item_by_code_reads_fresh_and_takes_its_value_as_a_parameter():
    item = f.item()
    assert published.item_by_code(item.implementation_code).name == item.name
    type(item).objects.filter(pk=item.pk).update(name="改名后的事项")
    assert published.item_by_code(item.implementation_code).name == "改名后的事项"
    assert published.item_by_code("x' OR '1'='1") is None
    assert published.item_by_code("") is None
