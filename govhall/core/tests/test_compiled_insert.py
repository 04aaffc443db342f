"""``CompiledInsert``: a new row's INSERT compiled once per process, the rest ``save()``."""

import datetime

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.test.utils import CaptureQueriesContext

from govhall.cases.models import Notification
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
    compiled = [sql for key, sql in inserts._statements.items() if key[0] is Notification]
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
    assert any(key[0] is AuditEntry for key in inserts._statements)
    assert not list(audit.verify_chain())


def vars_of(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.attname != "created_at"
    }
