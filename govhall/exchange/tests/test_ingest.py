"""The ingest service: per-record outcomes, the client's reach, idempotency, the one-row
guarantee, the fallback on a concurrent insert, counters, audit and the signal."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.core.models import AuditEntry
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department

from ..models import ExchangeClient, QualityDay, QualityIssue
from ..services import clients, ingest
from ..signals import records_ingested
from .conftest import PENGJIANG, TANGXIA, CaseStory, case_number, iso

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def statuses(results):
    return [r.status for r in results]


def test_accepted_records_are_stored_in_normal_form(county, story, now):
    client, _ = county
    records = story(1).whole(now - 5 * HOUR)
    results = ingest.ingest(client, records, now=now)
    assert statuses(results) == ["accepted"] * 5
    assert results[0] == ingest.RecordResult(0, records[0]["record_id"], "accepted", {})
    rows = list(ProcessRecord.objects.filter(source="pengjiang-hall").order_by("occurred_at"))
    assert [r.event for r in rows] == ["submit", "accept", "complete_step", "decide", "conclude"]
    assert [r.message_type for r in rows] == ["0", "2", "3", "3", "4"]
    first = rows[0]
    assert str(first.record_id) == records[0]["record_id"]
    assert first.occurred_at == now - 5 * HOUR
    assert (first.case_number, first.implementation_code) == (
        records[0]["case_number"],
        records[0]["implementation_code"],
    )
    assert (first.region_code, first.department_code) == (
        PENGJIANG,
        records[0]["department"]["code"],
    )
    assert (first.case_type, first.channel, first.visits) == ("2", "online", 0)
    assert first.payload == {**records[0], "event": "submit"}
    assert not ProcessRecord.objects.filter(source="pengjiang-hall", outbox__isnull=False).exists()


def test_each_record_is_judged_on_its_own(county, story, item, civil_affairs, now):
    client, _ = county
    good = story(1)
    unknown_region = good.accept(now, region_code="440703999")
    unknown_department = good.approve_step(now)
    unknown_department["department"]["code"] = "11440703MB0000000X"
    not_an_object = ["0", "record"]
    results = ingest.ingest(
        client,
        [good.submit(now), unknown_region, unknown_department, not_an_object, good.accept(now)],
        now=now,
    )
    assert statuses(results) == ["accepted", "rejected", "rejected", "rejected", "accepted"]
    assert results[1].errors == {"region_code": ["行政区划代码440703999不存在。"]}
    assert results[2].errors == {
        "department.code": ["统一社会信用代码为11440703MB0000000X的部门不在部门库中。"]
    }
    assert results[3].errors == {"记录": ["类型错误：应为对象。"]} and results[3].record_id is None
    assert ProcessRecord.objects.filter(source=client.code).count() == 2
    day = QualityDay.objects.get(client=client)
    assert (day.received, day.accepted, day.rejected) == (5, 2, 3)


def test_reach_is_a_prefix_of_the_clients_regions_and_its_departments(item, civil_affairs, now):
    city, _ = clients.register("江门市网上办事分厅", "jiangmen-hall", "branch_hall", ["440700"])
    town = CaseStory(item, civil_affairs, case_number(civil_affairs, 7), region=TANGXIA)
    county = CaseStory(item, civil_affairs, case_number(civil_affairs, 8))
    results = ingest.ingest(city, [town.submit(now), county.submit(now)], now=now)
    assert statuses(results) == ["accepted", "accepted"]

    police = Department.objects.get(region_id=PENGJIANG, name="蓬江区公安局")
    narrow, _ = clients.register(
        "蓬江区民政业务系统",
        "pengjiang-civil",
        "department",
        [PENGJIANG],
        department_codes=[civil_affairs.credit_code],
    )
    mine = CaseStory(item, civil_affairs, case_number(civil_affairs, 9)).submit(now)
    theirs = CaseStory(item, police, case_number(police, 1)).submit(now)
    results = ingest.ingest(narrow, [mine, theirs], now=now)
    assert statuses(results) == ["accepted", "rejected"]
    assert results[1].errors == {
        "department.code": [f"部门{police.credit_code}不在本客户端登记的报送部门内。"]
    }


def test_a_repeat_inside_the_batch_is_a_duplicate(county, story, now):
    client, _ = county
    record = story(1).submit(now)
    altered = {**record, "channel": "counter"}
    results = ingest.ingest(client, [record, dict(record), altered], now=now)
    assert statuses(results) == ["accepted", "duplicate", "duplicate"]
    assert ProcessRecord.objects.filter(record_id=record["record_id"]).count() == 1
    assert list(QualityIssue.objects.values_list("rule", flat=True)) == ["conflicting_duplicate"]
    # a first copy that was refused does not make the second a duplicate
    broken = {**story(2).submit(now), "visits": "many"}
    fixed = {**broken, "visits": 0}
    assert statuses(ingest.ingest(client, [broken, fixed], now=now)) == ["rejected", "accepted"]


def test_record_ids_are_compared_as_uuids(county, story, now):
    client, _ = county
    record = story(1).submit(now)
    ingest.ingest(client, [record], now=now)
    shouting = {**record, "record_id": record["record_id"].upper()}
    assert statuses(ingest.ingest(client, [shouting], now=now)) == ["duplicate"]
    assert not QualityIssue.objects.exists()


def test_a_concurrent_insert_of_the_same_ids_turns_them_into_duplicates(county, story, now):
    client, _ = county
    first, second = story(1).submit(now), story(2).submit(now)
    rows = [
        {
            "record_id": uuid.UUID(r["record_id"]),
            "case_number": r["case_number"],
            "implementation_code": r["implementation_code"],
            "message_type": "0",
            "event": "submit",
            "occurred_at": now,
            "region_code": PENGJIANG,
            "department_code": r["department"]["code"],
            "case_type": "2",
            "channel": "online",
            "visits": 0,
            "source": client.code,
            "payload": {**r, "event": "submit"},
        }
        for r in (first, second)
    ]
    # another push stored the second id after this one looked
    ProcessRecord.objects.create(
        record_id=rows[1]["record_id"],
        case_number=second["case_number"],
        implementation_code=second["implementation_code"],
        message_type="0",
        event="submit",
        occurred_at=now,
        region_code=PENGJIANG,
        department_code=second["department"]["code"],
        source="other",
        payload={},
    )
    with transaction.atomic():
        inserted, lost = ingest.write_rows(rows)
    assert inserted == [rows[0]] and lost == [rows[1]]
    stored = ProcessRecord.objects.get(record_id=rows[0]["record_id"])
    assert stored.source == client.code and stored.payload == rows[0]["payload"]
    assert stored.received_at is not None
    assert ProcessRecord.objects.get(record_id=rows[1]["record_id"]).source == "other"


def test_a_batch_over_the_limit_is_refused_whole(county, story, now):
    client, _ = county
    record = story(1).submit(now)
    records = [{**record, "record_id": str(uuid.uuid4())} for _ in range(1001)]
    with pytest.raises(ValidationError) as refused:
        ingest.ingest(client, records, now=now)
    assert list(refused.value.message_dict) == ["records"]
    assert refused.value.error_dict["records"][0].code == "max_items"
    with pytest.raises(ValidationError):
        ingest.ingest(client, {"records": records}, now=now)
    assert not ProcessRecord.objects.filter(source=client.code).exists()
    assert not QualityDay.objects.filter(client=client).exists()


def test_one_audit_entry_per_call_that_accepted_records(county, story, now):
    client, _ = county
    entries = AuditEntry.objects.filter(
        object_type="exchange.exchangeclient", action=AuditEntry.Action.IMPORT
    )
    records = [*story(1).whole(now - 6 * HOUR), {**story(2).submit(now), "format": "9"}]
    ingest.ingest(client, records, now=now)
    entry = entries.get()
    assert entry.object_id == str(client.pk)
    assert entry.after["accepted"] == 5 and entry.after["rejected"] == 1
    assert entry.after["cases"] == 1
    assert entry.actor_label == "数据交换客户端 pengjiang-hall"
    ingest.ingest(client, records, now=now)  # all duplicates or refused: no entry
    assert entries.count() == 1


def test_the_signal_goes_out_after_commit_with_the_count(
    county, story, now, django_capture_on_commit_callbacks
):
    client, _ = county
    heard = []

    def listener(sender, client, count, **kwargs):
        heard.append((sender, client.code, count))

    records_ingested.connect(listener)
    try:
        records = story(1).whole(now - 6 * HOUR)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ingest.ingest(client, records, now=now)
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
        assert heard == [(ExchangeClient, "pengjiang-hall", 5)]
        with django_capture_on_commit_callbacks(execute=True):
            ingest.ingest(client, records[:1], now=now)  # a duplicate: nothing stored
        assert len(heard) == 1
    finally:
        records_ingested.disconnect(listener)


def test_the_number_of_queries_does_not_grow_with_the_batch(county, story, now):
    """Apart from the rows' insert (COPY on PostgreSQL; a multi-row INSERT that SQLite
    splits by its parameter limit), a batch of 300 costs the same queries as one of 5."""
    client, _ = county

    def batch(serial, cases):
        records = []
        for n in range(cases):
            records += story(serial * 1000 + n).whole(now - 6 * HOUR)
        return records

    def queries(records) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            ingest.ingest(client, records, now=now)
        sqls = [q["sql"] for q in captured.captured_queries]
        inserts = [q for q in sqls if q.startswith(f'INSERT INTO "{ProcessRecord._meta.db_table}"')]
        return len(sqls) - len(inserts), len(inserts)

    queries(batch(3, 1))  # the day's counters exist from now on
    small_other, small_inserts = queries(batch(1, 1))  # 5 records
    large_other, large_inserts = queries(batch(2, 60))  # 300 records
    assert large_other == small_other
    if connection.vendor == "postgresql":
        assert small_inserts == large_inserts == 0  # the rows go in with COPY
    else:
        assert small_inserts == 1
    assert ProcessRecord.objects.filter(source=client.code).count() == 310


@pytest.mark.parametrize("layout", ["flat", "partitioned"])
def test_duplicates_are_found_in_either_layout_and_the_lookups_read_few_months(
    layout, county, item, civil_affairs, now
):
    """The duplicate check and the case history are bounded in time (records.services.
    bounds): on a table partitioned by month they read a case's months, and still find
    every record sent again — as stored, with another time, dated well before its case,
    or of a case number of another format."""
    from govhall.records.services import partitions
    from govhall.records.tests.test_partitions import partitions_read, queries_on_records

    today = timezone.localdate(now)
    if layout == "partitioned":
        if connection.vendor != "postgresql":
            pytest.skip("partitions are PostgreSQL's")
        with connection.cursor() as cursor:
            partitions.partition(cursor)
        partitions.ensure_months(since=today - datetime.timedelta(days=730))
    client, _ = county
    case = CaseStory(item, civil_affairs, case_number(civil_affairs, 1, day=f"{today:%Y%m%d}"))
    other = CaseStory(item, civil_affairs, "WAI-2024-0077")  # another system's numbering
    first = [
        case.submit(now - 5 * HOUR),
        case.accept(now - 4 * HOUR),
        case.approve_step(now - 20 * 24 * HOUR),  # weeks before the case's own date
        other.submit(now - 400 * 24 * HOUR),
    ]
    results = ingest.ingest(client, first, now=now)
    assert statuses(results) == ["accepted"] * 4

    def moved(record, hours):
        return {**record, "occurred_at": iso(now - hours * HOUR)}

    again = [*first, moved(first[0], 3), moved(first[2], 2), moved(first[3], 1)]
    results = ingest.ingest(client, again, now=now)
    assert statuses(results) == ["duplicate"] * 7
    assert ProcessRecord.objects.filter(source=client.code).count() == 4
    assert QualityIssue.objects.filter(rule="conflicting_duplicate").count() == 3

    if layout == "partitioned":
        # A new record of today's case: its duplicate check and its case's history read
        # the month before, this one, the months ahead and the default partition.
        sqls = queries_on_records(
            lambda: ingest.ingest(client, [case.conclude(now - HOUR)], now=now)
        )
        selects = [sql for sql in sqls if sql.startswith("SELECT")]
        assert len(selects) == 2
        for sql in selects:
            assert 1 <= len(partitions_read(sql)) <= partitions.AHEAD + 3, sql
        assert len(partitions.months()) > 20
