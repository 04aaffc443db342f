"""``CompiledInsert``: a new row's INSERT compiled once per process, the rest ``save()``."""

import datetime

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.test.utils import CaptureQueriesContext

from govhall.cases.models import ApplicationMaterial, MaterialSource, Notification
from govhall.cases.services import applications
from govhall.core.models import AuditEntry, inserts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notification(user, **values) -> Notification:
    fields = {"case_number": "N1", "event": "submit", "title": "标题", "body": "正文", "link": "/"}
    return Notification(user=user, **{**fields, **values})


def orm_sql(instance) -> str:
    """What the ORM compiles for this instance's insert (returning its key)."""
    meta = type(instance)._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    query = InsertQuery(type(instance))
    query.insert_values(fields, [instance], raw=True)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = meta.db_returning_fields
    [(sql, _params)] = compiler.as_sql()
    return sql


def test_each_row_is_stored_with_its_own_values_by_one_statement():
    inserts.clear()
    user = UserFactory()
    with CaptureQueriesContext(connection) as seen:
        first = Notification.objects.create(**vars_of(notification(user, body="第一")))
        second = notification(user, body="第二", case_number="N2")
        second.save()
    assert len(seen.captured_queries) == 2
    first_sql, second_sql = (q["sql"] for q in seen.captured_queries)
    assert first_sql.startswith("INSERT") and second_sql.startswith("INSERT")
    compiled = [c[0] for key, c in inserts._statements.items() if key[0] is Notification]
    assert compiled == [orm_sql(second)]  # one statement, the ORM's, reused by the second
    assert first.pk and second.pk and first.pk != second.pk
    for row in (first, second):
        stored = Notification.objects.get(pk=row.pk)
        assert (stored.body, stored.case_number, stored.user_id) == (
            row.body,
            row.case_number,
            user.pk,
        )
        # auto_now_add is set once, on the instance as in the row
        assert isinstance(row.created_at, datetime.datetime)
        assert stored.created_at == row.created_at
        assert not row._state.adding and row._state.db == "default"


def test_signals_are_sent_as_by_save():
    user = UserFactory()
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.pk))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", created, instance.pk))

    pre_save.connect(before, sender=Notification, dispatch_uid="test-compiled-pre")
    post_save.connect(after, sender=Notification, dispatch_uid="test-compiled-post")
    try:
        row = Notification.objects.create(**vars_of(notification(user)))
    finally:
        pre_save.disconnect(sender=Notification, dispatch_uid="test-compiled-pre")
        post_save.disconnect(sender=Notification, dispatch_uid="test-compiled-post")
    assert seen == [("pre", None), ("post", True, row.pk)]


def test_an_expression_takes_the_orms_path():
    inserts.clear()
    user = UserFactory()
    row = notification(user, title=Upper(Value("abc")))
    row.save()
    assert Notification.objects.get(pk=row.pk).title == "ABC"
    # nothing compiled for a statement that varies
    assert not [key for key in inserts._statements if key[0] is Notification]


def test_json_and_the_audit_chain_round_trip():
    """A JSON column (the audit entry's) converts per row; the chain still verifies."""
    from govhall.core.services import audit

    inserts.clear()
    entries = [
        audit.record(audit.Action.OTHER, object_type="test.thing", after={"n": n, "名": "甲"})
        for n in range(3)
    ]
    for entry in entries:
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert stored.after == entry.after
        assert audit.compute_hash(stored) == stored.entry_hash == entry.entry_hash
    # compiled, not only tried: PostgreSQL's JSON adapters compare by identity, so a
    # model with a JSON column was once never compiled there (an empty entry)
    assert [c for key, c in inserts._statements.items() if key[0] is AuditEntry and c]
    assert not list(audit.verify_chain())


@pytest.mark.usefixtures("reference_data")
def test_every_row_of_an_application_is_inserted_by_its_compiled_statement():
    """The eight models an application inserts a row of, four with JSON columns (the
    application's answers, the case's, the process record's payload, the audit entry's
    values), are each compiled — on PostgreSQL as on SQLite — and none takes the ORM's
    path, the second application as the first."""
    from govhall.cases.models import (
        Application,
        Case,
        CaseStep,
        SubmissionKey,
    )
    from govhall.cases.tests import factories as f
    from govhall.records.models import OutboxMessage, ProcessRecord

    inserts.clear()
    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    compiled_path = inserts._insert
    fallbacks = []

    def traced(model, objs, using, fields, returning_fields):
        done = compiled_path(model, objs, using, fields, returning_fields)
        if done is None:
            fallbacks.append(model.__name__)
        return done

    inserts._insert = traced
    try:
        for n in range(2):
            _application, (case,) = applications.apply(
                identity,
                item=item,
                answers=dict(f.ANSWERS),
                contact={"contact_phone": "13800138000", "delivery": "electronic"},
                materials=files,
                idempotency_key=f"compiled-{n}",
            )
    finally:
        inserts._insert = compiled_path
    assert fallbacks == []
    models = {key[0] for key, c in inserts._statements.items() if c}
    for model in (
        Application,
        SubmissionKey,
        Case,
        CaseStep,
        ProcessRecord,
        OutboxMessage,
        Notification,
        AuditEntry,
        ApplicationMaterial,
    ):
        assert model in models, model.__name__
    stored = Case.objects.get(pk=case.pk)
    assert stored.application.answers == case.application.answers
    assert ProcessRecord.objects.filter(case_number=case.number).exists()


def orm_bulk_sql(rows: list) -> str:
    """What the ORM compiles for ``bulk_create`` of these rows (returning their keys)."""
    meta = type(rows[0])._meta
    fields = [f for f in meta.concrete_fields if not f.generated and f is not meta.auto_field]
    query = InsertQuery(type(rows[0]))
    query.insert_values(fields, rows, raw=True)
    compiler = query.get_compiler(connection=connection)
    if connection.features.can_return_rows_from_bulk_insert:
        compiler.returning_fields = meta.db_returning_fields
    [(sql, _params)] = compiler.as_sql()
    return sql


def material_rows(application, stored, count: int, tag: str) -> list:
    return [
        ApplicationMaterial(
            application=application,
            key=f"{tag}{n}",
            name=f"材料{tag}{n}",
            source=MaterialSource.LOCKER if n % 2 else MaterialSource.UPLOAD,
            file=stored if n % 2 else None,
            reference=f"参考{n}",
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_bulk_create_reuses_the_orms_statement_with_each_rows_values(count):
    """``CompiledInsertQuerySet``: the ORM's multi-row statement (``UNNEST`` on
    PostgreSQL), compiled once per number of rows; each row stores its own values and
    gets its own key, as ``bulk_create`` gives them."""
    from govhall.cases.tests.factories import applicant, item, pdf

    inserts.clear()
    identity = applicant()
    application = applications.start(identity, item=item())
    stored = applications.store_file(identity.user, pdf("材料"), title="材料")
    first, second = (
        material_rows(application, stored, count, "a"),
        material_rows(application, stored, count, "b"),
    )
    with CaptureQueriesContext(connection) as seen:
        ApplicationMaterial.objects.bulk_create(first)
        ApplicationMaterial.objects.bulk_create(second)
    inserts_run = [q["sql"] for q in seen.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts_run) == 2  # one statement each, as bulk_create sends
    compiled = [c[0] for key, c in inserts._statements.items() if key[0] is ApplicationMaterial]
    assert compiled == [orm_bulk_sql(second)]
    rows = first + second
    if connection.features.can_return_rows_from_bulk_insert:
        assert all(row.pk for row in rows) and len({row.pk for row in rows}) == len(rows)
    for row in rows:
        assert not row._state.adding and row._state.db == "default"
        assert isinstance(row.added_at, datetime.datetime)
        stored_row = ApplicationMaterial.objects.get(application=application, key=row.key)
        assert (
            stored_row.name,
            stored_row.source,
            stored_row.file_id,
            stored_row.reference,
            stored_row.added_at,
        ) == (row.name, row.source, row.file_id, row.reference, row.added_at)
        if row.pk:
            assert stored_row.pk == row.pk


def test_bulk_create_with_a_conflict_option_takes_the_orms_path():
    from govhall.cases.tests.factories import applicant, item

    inserts.clear()
    application = applications.start(applicant(), item=item())
    rows = material_rows(application, None, 2, "c")
    ApplicationMaterial.objects.bulk_create(rows)
    again = material_rows(application, None, 2, "c")
    ApplicationMaterial.objects.bulk_create(again, ignore_conflicts=True)
    assert ApplicationMaterial.objects.filter(application=application).count() == 2
    assert len([k for k in inserts._statements if k[0] is ApplicationMaterial]) == 1


def vars_of(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.attname != "created_at"
    }
