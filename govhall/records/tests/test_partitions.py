"""Monthly partitions of the process records (PostgreSQL) and archiving a month to the
analysis store; on SQLite the table stays one table and archiving is refused."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from govhall.analysis.services import archive, store
from govhall.core.errors import Refusal
from govhall.records.models import OutboxMessage, ProcessRecord
from govhall.records.services import partitions

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions")


@pytest.fixture(autouse=True)
def analysis_dir(settings, tmp_path):
    settings.GOVHALL_ANALYSIS_DIR = tmp_path / "analysis"


@pytest.fixture(autouse=True)
def partitioned():
    """The monthly layout for this test only: the change is DDL inside the test's
    transaction, rolled back with it (a deployment opts in, GOVHALL_RECORDS_PARTITIONED)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            partitions.partition(cursor)


def record(when, number="P-1", **extra):
    return ProcessRecord.objects.create(
        record_id=extra.pop("record_id", uuid.uuid4()), case_number=number,
        implementation_code="X" * 20 + "XK00000001", message_type="0", event="submit",
        occurred_at=when, region_code="440100", department_code="1" * 18, source="test",
        payload={"case_number": number}, **extra,
    )  # fmt: skip


def partition_of(pk):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {partitions.TABLE} WHERE id = %s", [pk]
        )
        return cursor.fetchone()[0]


@postgres_only
def test_records_land_in_their_local_month_and_the_model_works_unchanged():
    assert partitions.is_partitioned()
    today = datetime.date.today()
    assert partitions.first_of(today) in partitions.months()
    # 23:30 on the last day of a month in Shanghai is still that month (UTC: 15:30).
    month = partitions.first_of(today)
    last_day = partitions.next_month(month) - datetime.timedelta(days=1)
    late = datetime.datetime.combine(last_day, datetime.time(23, 30), SHANGHAI)
    first = record(datetime.datetime.combine(month, datetime.time(0, 5), SHANGHAI))
    second = record(late)
    assert partition_of(first.pk) == partition_of(second.pk) == partitions.name_of(month)
    assert second.pk > first.pk
    assert list(ProcessRecord.objects.filter(case_number="P-1").order_by("pk")) == [first, second]
    assert ProcessRecord.objects.get(pk=second.pk).occurred_at == late
    # The outbox still points at its record (kept by Django), and goes with it.
    OutboxMessage.objects.create(record=first)
    assert OutboxMessage.objects.get().record == first
    first.delete()
    assert not OutboxMessage.objects.exists()
    # A record pushed twice (same id, same time) is still refused by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        record(late, record_id=second.record_id)


@postgres_only
def test_a_month_is_created_ahead_and_takes_its_rows_from_the_default_partition():
    old = datetime.datetime(2001, 3, 10, 9, tzinfo=SHANGHAI)
    early = record(old)
    assert partition_of(early.pk) == partitions.DEFAULT
    created = partitions.ensure_months(since=datetime.date(2001, 2, 1))
    assert created[:2] == [datetime.date(2001, 2, 1), datetime.date(2001, 3, 1)]
    assert partition_of(early.pk) == partitions.name_of(datetime.date(2001, 3, 1))
    assert partitions.ensure_months(since=datetime.date(2001, 2, 1)) == []


@postgres_only
def test_archiving_exports_verifies_and_detaches_a_month():
    month = datetime.date(2024, 5, 1)
    partitions.ensure_months(since=month, today=datetime.date(2024, 6, 1), ahead=0)
    kept = [
        record(datetime.datetime(2024, 5, d, 10, tzinfo=SHANGHAI), f"A-{d}") for d in (1, 15, 31)
    ]
    other = record(datetime.datetime(2024, 6, 1, 0, 1, tzinfo=SHANGHAI), "B-1")
    OutboxMessage.objects.create(record=kept[0], delivered_at=datetime.datetime.now(datetime.UTC))
    result = archive.archive_month(month)
    assert (result.rows, result.stored) == (3, 3)
    assert result.kept_as == "records_processrecord_archived_y2024m05"
    assert month not in partitions.months()
    assert list(ProcessRecord.objects.filter(case_number__startswith=("A-"))) == []
    assert ProcessRecord.objects.filter(pk=other.pk).exists()
    assert not OutboxMessage.objects.exists()
    got = (
        store.connect()
        .execute("SELECT case_number FROM records WHERE month = '2024-05' ORDER BY id")
        .fetchall()
    )
    assert got == [("A-1",), ("A-15",), ("A-31",)]
    with pytest.raises(Refusal) as refused:
        archive.archive_month(month)
    assert refused.value.code == "no_partition"


@postgres_only
def test_a_month_with_an_undelivered_record_or_too_recent_is_not_archived():
    month = datetime.date(2024, 2, 1)
    partitions.ensure_months(since=month, today=datetime.date(2024, 3, 1), ahead=0)
    OutboxMessage.objects.create(record=record(datetime.datetime(2024, 2, 5, tzinfo=SHANGHAI)))
    with pytest.raises(Refusal) as refused:
        archive.archive_month(month)
    assert refused.value.code == "undelivered" and month in partitions.months()
    with pytest.raises(Refusal) as refused:
        archive.archive_month(datetime.date.today())
    assert refused.value.code == "too_recent"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite side")
def test_sqlite_keeps_one_table_and_refuses_to_archive():
    assert not partitions.is_partitioned() and partitions.ensure_months() == []
    record(datetime.datetime(2024, 5, 1, tzinfo=SHANGHAI))
    with pytest.raises(Refusal) as refused:
        archive.archive_month(datetime.date(2024, 5, 1))
    assert refused.value.code == "not_partitioned"
