"""The sending task of a notification: in the notification's transaction with the database
broker (production's), on commit with a broker outside the database."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from govhall.accounts import sms

from ..models import Notification
from ..services import applications, notifications
from . import factories as f

DATABASE_BROKER = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    GOVHALL_SMS_BACKEND="govhall.accounts.sms.LocmemBackend",
)
CONTACT = {"contact_phone": "13800138000", "delivery": "electronic"}


def one_call(identity, item):
    return applications.apply(
        identity,
        item=item,
        answers=dict(f.ANSWERS),
        contact=CONTACT,
        materials=f.locker(identity, item),
    )


@pytest.mark.usefixtures("transactional_reference_data")
def test_the_task_row_is_written_before_the_commit_and_a_worker_sends_it():
    identity, item = f.applicant(), f.item()
    identity.user.mobile = "13900139000"
    identity.user.save(update_fields=["mobile"])
    sms.outbox.clear()
    with DATABASE_BROKER:
        assert notifications._queued_in_transaction()
        with CaptureQueriesContext(connection) as seen:
            _application, (case,) = one_call(identity, item)
        sql = [q["sql"] for q in seen.captured_queries]
        task_insert = next(
            n for n, s in enumerate(sql) if s.startswith('INSERT INTO "django_tasks_database')
        )
        # one transaction: the task's row before its COMMIT, nothing after it
        assert task_insert < sql.index("COMMIT") == len(sql) - 1
        note = Notification.objects.get(case_number=case.number)
        [queued] = DBTaskResult.objects.ready()
        assert queued.task_path == "govhall.cases.tasks.send_notification"
        assert queued.args_kwargs == {"args": [note.pk], "kwargs": {}}
        assert sms.outbox == []  # not sent before a worker runs it
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    note.refresh_from_db()
    assert note.sms_sent_at is not None
    assert [m.mobile for m in sms.outbox] == ["13900139000"]
    assert case.number in sms.outbox[0].text


@pytest.mark.usefixtures("transactional_reference_data")
def test_a_rolled_back_change_leaves_neither_the_notification_nor_its_task():
    case = f.submitted()
    before = DBTaskResult.objects.count(), Notification.objects.count()
    with DATABASE_BROKER, pytest.raises(RuntimeError), transaction.atomic():
        assert notifications.notify(case, "accept") is not None
        assert DBTaskResult.objects.count() == before[0] + 1  # written in the transaction
        raise RuntimeError("roll back")
    assert (DBTaskResult.objects.count(), Notification.objects.count()) == before


@pytest.mark.usefixtures("transactional_reference_data")
def test_a_broker_outside_the_database_gets_the_task_on_commit():
    """The tests' immediate broker runs the task at once: only after the commit, and not
    at all when the change is rolled back."""
    assert not notifications._queued_in_transaction()
    case = f.submitted()
    sent = []
    with override_settings(GOVHALL_SMS_BACKEND="govhall.accounts.sms.LocmemBackend"):
        case.user.mobile = "13900139001"
        case.user.save(update_fields=["mobile"])
        sms.outbox.clear()
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify(case, "accept")
            raise RuntimeError("roll back")
        assert sms.outbox == []
        with transaction.atomic():
            note = notifications.notify(case, "accept")
            sent.append(list(sms.outbox))
        assert sent == [[]]  # nothing inside the transaction
        assert [m.mobile for m in sms.outbox] == ["13900139001"]
    note.refresh_from_db()
    assert note.sms_sent_at is not None
    assert not DBTaskResult.objects.exists()
