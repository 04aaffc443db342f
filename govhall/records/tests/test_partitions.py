"""Monthly partitions of the process records (PostgreSQL) and archiving a month to the
analysis store; on SQLite the table stays one table and archiving is refused."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from govhall.analysis.services import archive, store
from govhall.core.errors import Refusal
from govhall.records.models import OutboxMessage, ProcessRecord
from govhall.records.services import bounds, partitions

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
        implementation_code="X" * 20 + "XK00000001", message_type=extra.pop("message_type", "0"),
        event=extra.pop("event", "submit"), occurred_at=when, region_code="440100",
        department_code="1" * 18, source="test", payload={"case_number": number}, **extra,
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


# --- lookups by case number and record id, bounded in time (records.services.bounds) ---

NUMBER = "440100MA4UXXXX1{}000001"  # this hall's format: region, org code, date, sequence


def number_of(day: datetime.date) -> str:
    return NUMBER.format(f"{day:%Y%m%d}")


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime.datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


def test_a_case_number_bounds_its_records_from_the_month_before_its_date():
    assert bounds.earliest(number_of(datetime.date(2026, 3, 15))) == at(2026, 2, 1)
    assert bounds.earliest(number_of(datetime.date(2026, 1, 5))) == at(2025, 12, 1)
    for other in (
        "P-1",
        "EXT-2024-0001",
        "Y" + number_of(datetime.date(2026, 3, 15)),  # a bundle's number
        number_of(datetime.date(2026, 3, 15))[:-1],  # 28 characters
        NUMBER.format("20261315"),  # month 13
        NUMBER.format("18990301"),
        NUMBER.format("2026-3-1"),
        "",
        None,
    ):
        assert bounds.earliest(other) is None, other
    # The SQL form says the same, on this database: a moment is inside the bound or not.
    numbers = [number_of(datetime.date(2026, 3, 15)), number_of(datetime.date(2026, 1, 5)), "P-1"]
    for number in numbers:
        bound = bounds.earliest(number) or at(2000, 1, 1)
        for moment in (bound, bound - datetime.timedelta(seconds=1), at(2026, 7, 1)):
            inside = bounds.earliest(number) is None or moment >= bounds.earliest(number)
            value = connection.ops.adapt_datetimefield_value(moment)
            pg = connection.vendor == "postgresql"
            m, n = ("CAST(%s AS timestamptz)", "CAST(%s AS text)") if pg else ("%s", "%s")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT CASE WHEN t.m >= {bounds.earliest_sql('t.n', connection.vendor)} "
                    f"THEN 1 ELSE 0 END FROM (SELECT {m} AS m, {n} AS n) t",
                    [value, number],
                )
                assert cursor.fetchone()[0] == int(inside), (number, moment)


def edge_records():
    """A case of 2026-03-15 with records around its bound (2026-02-01 00:00 in Shanghai),
    a January case (bound in the year before), a number of another format."""
    a, j, x = number_of(datetime.date(2026, 3, 15)), number_of(datetime.date(2026, 1, 5)), "EXT-1"
    partitions.ensure_months(since=datetime.date(2025, 11, 1))
    made = {
        "a_too_early": record(at(2026, 1, 31, 23, 59, 59), a, event="consult"),
        "a_at_bound": record(at(2026, 2, 1), a, event="reserve"),
        "a_evening_before": record(at(2026, 3, 14, 22), a, event="prepare"),
        "a_submit": record(at(2026, 3, 15, 9), a),
        "a_conclude": record(at(2026, 5, 2), a, event="conclude", message_type="4"),
        "j_december": record(at(2025, 12, 20), j, event="reserve"),
        "j_submit": record(at(2026, 1, 5, 10), j),
        "x_old": record(at(2024, 6, 1), x, event="reserve"),
        "x_submit": record(at(2026, 6, 1), x),
    }
    return (a, j, x), made


def lookups(numbers, made):
    """What each bounded lookup answers: the quality checks' case history, the refresh's
    facts (case by case, and the set-based rebuild), records found by id."""
    from govhall.exchange.services import quality
    from govhall.monitoring.models import CaseFact
    from govhall.monitoring.services import refresh

    history = sorted((f.case_number, f.event, f.occurred_at) for f in quality.case_history(numbers))
    code = "X" * 20 + "XK00000001"
    facts = refresh._facts_of({(n, code) for n in numbers})
    by_case = sorted((n, f.applied_at, f.concluded_at) for (n, _), f in facts.items())
    refresh.rebuild()
    rebuilt = sorted(CaseFact.objects.values_list("case_number", "applied_at", "concluded_at"))
    refresh.rebuild_incrementally()
    folded = sorted(CaseFact.objects.values_list("case_number", "applied_at", "concluded_at"))
    later = datetime.timedelta(days=40)
    asked = [  # (record id, its case, the time it is pushed with)
        *((r.record_id, r.case_number, r.occurred_at) for r in made.values()),  # as stored
        *((r.record_id, r.case_number, r.occurred_at + later) for r in made.values()),  # moved
    ]
    found = {
        name
        for name, r in made.items()
        for (rid,) in ProcessRecord.objects.filter(bounds.record_filter(asked)).values_list(
            "record_id"
        )
        if rid == r.record_id
    }
    return history, by_case, rebuilt, folded, found


def test_bounded_lookups_find_a_cases_records_from_its_bound_on_in_both_layouts():
    numbers, made = edge_records()
    a, j, x = numbers
    answers = lookups(numbers, made)
    history, by_case, rebuilt, folded, found = answers
    assert history == sorted(
        [
            (a, "reserve", at(2026, 2, 1)),  # at the bound: read; a second earlier: not
            (a, "prepare", at(2026, 3, 14, 22)),  # the evening before the application
            (a, "submit", at(2026, 3, 15, 9)),
            (a, "conclude", at(2026, 5, 2)),
            (j, "reserve", at(2025, 12, 20)),  # the bound of a January case: December
            (j, "submit", at(2026, 1, 5, 10)),
            (x, "reserve", at(2024, 6, 1)),  # another format: any time
            (x, "submit", at(2026, 6, 1)),
        ]
    )
    assert by_case == sorted(
        [
            (a, at(2026, 2, 1), at(2026, 5, 2)),  # applied: the earliest record read
            (j, at(2025, 12, 20), None),
            (x, at(2024, 6, 1), None),
        ]
    )
    # The set-based rebuild (the rule in SQL) and the case-by-case fold agree.
    assert rebuilt == folded == by_case
    # Every record is found by its id pushed again as stored — even the one dated before
    # its case's bound — and by a later time while it lies inside its case's bound.
    assert found == set(made)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            assert partitions.unpartition(cursor)
        assert lookups(numbers, made) == answers  # the flat table answers the same


def partitions_read(sql: str, params=None) -> set[str]:
    """The partitions an ``EXPLAIN ANALYZE`` of the query shows scanned (pruned ones are
    not in the plan, or "never executed")."""
    import re

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    scanned = re.compile(rf" on ({partitions.TABLE}_(?:y\d{{4}}m\d{{2}}|default))\b")
    return {
        found.group(1)
        for line in plan
        if "never executed" not in line and (found := scanned.search(line))
    }


def queries_on_records(run) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        run()
    return [q["sql"] for q in seen.captured_queries if f'"{partitions.TABLE}"' in q["sql"]]


@postgres_only
def test_lookups_of_recent_cases_read_only_their_months():
    """Two years of monthly partitions: the quality history, the refresh's re-read and the
    duplicate check of a case applied today read its month, the one before, the months
    ahead and the default partition — not the other twenty-odd."""
    from govhall.exchange.services import quality
    from govhall.monitoring.services import refresh

    today = datetime.date.today()
    partitions.ensure_months(since=today - datetime.timedelta(days=730))
    assert len(partitions.months()) >= 27
    number = number_of(today)
    now = datetime.datetime.now(SHANGHAI)
    mine = record(now, number)
    record(now - datetime.timedelta(days=400), "P-2")
    code = "X" * 20 + "XK00000001"
    sqls = queries_on_records(lambda: quality.case_history([number]))
    sqls += queries_on_records(lambda: refresh._facts_of({(number, code)}))
    sqls += queries_on_records(
        lambda: list(
            ProcessRecord.objects.filter(
                bounds.record_filter([(mine.record_id, number, now)])
            ).values_list("record_id")
        )
    )
    assert len(sqls) == 3
    most = partitions.AHEAD + 3  # the month before, this one, the months ahead, default
    for sql in sqls:
        read = partitions_read(sql)
        assert 1 <= len(read) <= most, (sql, sorted(read))
    # Unbounded, the same lookup reads every partition (what the bound saves).
    everything = partitions_read(
        f"SELECT * FROM {partitions.TABLE} WHERE case_number = %s", [number]
    )
    assert len(everything) > 20


@postgres_only
def test_the_partitioned_parent_estimates_case_numbers_by_the_ratio():
    """A partitioned parent's statistics are inherited ones: without
    ``n_distinct_inherited`` the planner took the sample's count of case numbers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attoptions FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = 'case_number'",
            [partitions.TABLE],
        )
        assert "n_distinct_inherited=-0.16" in cursor.fetchone()[0]
        for n in range(600):  # one number per record: the sample alone would say -1
            record(datetime.datetime.now(SHANGHAI), f"N-{n}")
        cursor.execute(f"ANALYZE {partitions.TABLE}")
        cursor.execute(
            "SELECT n_distinct FROM pg_stats WHERE tablename = %s AND attname = 'case_number' "
            "AND inherited",
            [partitions.TABLE],
        )
        assert cursor.fetchone()[0] == pytest.approx(-0.16)


def plans_of_record_lookups(run) -> list[list[str]]:
    """The plan PostgreSQL chose for each statement ``run`` sends to the record table,
    explained on the same connection just before it runs (so with the settings in force
    for it)."""
    plans = []

    def explain(execute, sql, params, many, context):
        if f'"{partitions.TABLE}"' in sql and sql.lstrip().upper().startswith("SELECT"):
            with connection.connection.cursor() as raw:
                raw.execute(f"EXPLAIN (COSTS OFF) {sql}", params)
                plans.append([row[0] for row in raw.fetchall()])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        run()
    return plans


@postgres_only
def test_case_lookups_read_months_by_index_and_leave_the_setting_as_it_was():
    """The quality history, the refresh's re-read and supervision's re-read of a batch of
    cases go through the case-number index in every month they read, never a scan of a
    whole partition (a small partition makes a scan look cheaper: ninth pass), and the
    planner's setting is back as it was afterwards."""
    from govhall.exchange.services import quality
    from govhall.monitoring.services import refresh
    from govhall.supervision.services import detection
    from govhall.supervision.services.rules import RuleBook

    today = datetime.date.today()
    partitions.ensure_months(since=today - datetime.timedelta(days=62))
    now = datetime.datetime.now(SHANGHAI)
    numbers = [number_of(today)[:-3] + f"{n:03d}" for n in range(40)]
    for number in numbers:
        record(now, number)
        record(now - datetime.timedelta(days=35), number, event="consult")  # the month before
    code = "X" * 20 + "XK00000001"
    keys = {(number, code) for number in numbers}
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {partitions.TABLE}")
    plans = plans_of_record_lookups(lambda: quality.case_history(numbers))
    plans += plans_of_record_lookups(lambda: refresh._facts_of(keys))
    plans += plans_of_record_lookups(lambda: detection.evaluate_cases(keys, RuleBook()))
    assert len(plans) >= 3
    for plan in plans:
        text = "\n".join(plan)
        assert "Seq Scan" not in text and "Index" in text, text
    assert len(quality.case_history(numbers)) == 2 * len(numbers)  # still every record
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SET LOCAL enable_seqscan = off")  # a caller's own choice is kept
    quality.case_history(numbers)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "off"


@postgres_only
def test_records_dated_after_the_months_created_are_still_found_by_every_lookup():
    """No lookup is bounded ahead: a record dated past the partitions created (a clock
    years off; it lands in the default partition) and one on the first moment of a month
    ahead are read back with their case and found by id, on both layouts."""
    from govhall.exchange.services import quality

    today = datetime.date.today()
    partitions.ensure_months()
    number = number_of(today)
    ahead = partitions.first_of(today)
    for _ in range(partitions.AHEAD):
        ahead = partitions.next_month(ahead)
    first_ahead = datetime.datetime.combine(ahead, datetime.time(0, 0), SHANGHAI)
    far = datetime.datetime(today.year + 5, 1, 1, 9, tzinfo=SHANGHAI)
    made = [
        record(datetime.datetime.now(SHANGHAI), number),
        record(first_ahead, number, event="accept", message_type="1"),
        record(far, number, event="conclude", message_type="4"),
    ]
    assert partition_of(made[1].pk) == partitions.name_of(ahead)
    assert partition_of(made[2].pk) == partitions.DEFAULT

    def answers():
        history = sorted(f.occurred_at for f in quality.case_history([number]))
        found = set(
            ProcessRecord.objects.filter(
                bounds.record_filter([(r.record_id, number, r.occurred_at) for r in made])
            ).values_list("record_id", flat=True)
        )
        return history, found

    assert answers() == (sorted(r.occurred_at for r in made), {r.record_id for r in made})
    partitioned = answers()
    with connection.cursor() as cursor:
        assert partitions.unpartition(cursor)
    assert answers() == partitioned
