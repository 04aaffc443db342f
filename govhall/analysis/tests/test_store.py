"""The analysis store: incremental export, the DuckDB views and the example analyses."""

import datetime
import statistics
import uuid
from collections import Counter

import pytest

from govhall.analysis.models import ExportState
from govhall.analysis.services import examples, export, store
from govhall.demo.generators import records as generator
from govhall.monitoring.models import CaseFact
from govhall.monitoring.services import refresh
from govhall.records.models import ProcessRecord

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 22, 15, 30, tzinfo=generator.SHANGHAI)


@pytest.fixture(autouse=True)
def analysis_dir(settings, tmp_path):
    settings.GOVHALL_ANALYSIS_DIR = tmp_path / "analysis"
    return settings.GOVHALL_ANALYSIS_DIR


@pytest.fixture
def generated():
    generator.generate(3000, months=4, end_month=datetime.date(2026, 10, 1), seed=11,
                       cities=4, source="test-analysis", now=NOW)  # fmt: skip
    refresh.refresh()


def test_export_is_incremental_partitioned_and_complete(generated, analysis_dir):
    result = export.export(chunk=700)
    assert result.records == 3000 and result.cases == CaseFact.objects.exclude(month=None).count()
    assert (
        ExportState.objects.get(name="records").last_record_pk
        == ProcessRecord.objects.latest("pk").pk
    )
    months = {p.name for p in (analysis_dir / "records").iterdir()}
    assert len(months) >= 4 and all(m.startswith("month=2026-") for m in months)
    cities = {p.name for p in (analysis_dir / "records").glob("month=*/city=*")}
    assert {c[len("city=") :] for c in cities} <= {"440100", "440200", "440300", "440400"}

    con = store.connect()
    assert con.execute("SELECT count(*), count(DISTINCT id) FROM records").fetchone() == (
        3000,
        3000,
    )
    # Nothing personal: no names or blind indexes, only the pseudonym on applications.
    columns = [c[0] for c in con.execute("DESCRIBE records").fetchall()]
    assert "payload" not in columns
    keys = con.execute(
        "SELECT DISTINCT applicant_key FROM records WHERE applicant_key IS NOT NULL"
    ).fetchall()
    blind = set(
        ProcessRecord.objects.filter(message_type="0").values_list(
            "payload__applicant__id_key", flat=True
        )
    )
    assert keys and not {k for (k,) in keys} & blind

    # A second run writes nothing; new records (and the facts they change) follow.
    assert export.export().records == 0
    first = ProcessRecord.objects.filter(message_type="0").order_by("pk").first()
    ProcessRecord.objects.create(
        record_id=uuid.uuid4(), case_number="LATE-1", implementation_code=first.implementation_code,
        message_type="0", event="submit", occurred_at=NOW - datetime.timedelta(days=70),
        region_code=first.region_code, department_code=first.department_code, source="test",
        payload={"case_number": "LATE-1"},
    )  # fmt: skip
    assert export.export().records == 1
    assert store.connect().execute("SELECT count(*) FROM records").fetchone() == (3001,)


def test_a_run_that_died_leaves_no_duplicate(generated, analysis_dir):
    export.export_records(chunk=1000, until=ProcessRecord.objects.order_by("pk")[999].pk)
    # A run that wrote its files but died before moving the watermark:
    state = ExportState.objects.get(name="records")
    rows = export.record_rows(state.last_record_pk, 10**12, 500)
    export.write_records(rows, analysis_dir / "records")
    assert export.export_records() == 2000
    con = store.connect()
    assert con.execute("SELECT count(*), count(DISTINCT id) FROM records").fetchone() == (
        3000,
        3000,
    )


def test_province_month_equals_the_database(generated):
    export.export()
    month = "2026-09"
    got = {row[0]: row[1:] for row in examples.province_month(store.connect(), month)}
    expected: dict[str, list[int]] = {}
    for record in ProcessRecord.objects.all():
        if export.month_of(record.occurred_at) != month:
            continue
        row = expected.setdefault(store.city_of(record.region_code), [0, 0, 0, 0, 0])
        conclude = record.event == "conclude"
        row[0] += conclude
        row[1] += conclude and record.channel in ("online", "mobile")
        row[2] += conclude and record.visits == 0
        row[3] += record.message_type == "0"
        row[4] += 1
    assert got == {city: tuple(v) for city, v in expected.items()}
    assert sum(v[0] for v in got.values()) > 50


def test_handling_time_per_item_and_level_equals_a_hand_count(generated):
    export.export()
    rows = examples.handling_time(store.connect(), "2026-06", "2026-10")
    days: dict[tuple, list[float]] = {}
    for fact in (
        CaseFact.objects.exclude(concluded_at=None)
        .exclude(applied_at=None)
        .filter(closed_event="conclude")
    ):
        key = (fact.implementation_code, fact.level)
        days.setdefault(key, []).append(
            (fact.concluded_at - fact.applied_at).total_seconds() / 86400
        )
    assert len(rows) == len(days) and sum(r[3] for r in rows) > 100
    for code, _name, level, cases, p50, _p90, longest in rows:
        values = days[(code, level)]
        assert cases == len(values)
        assert p50 == pytest.approx(statistics.median(values), abs=0.01)
        assert longest == pytest.approx(max(values), abs=0.01)


def test_next_items_follow_one_applicant(analysis_dir):
    # Hand-built: three applicants do A then B, one does A then C, B never before A.
    department = generator.Department.objects.filter(region_id="440100").order_by("pk").first()
    codes = {k: f"{department.credit_code}XK0000000{n}" for n, k in enumerate("ABC", 1)}
    histories = {"p1": "AB", "p2": "AB", "p3": "AB", "p4": "AC", "p5": "B"}
    for person, items in histories.items():
        for step, item in enumerate(items):
            ProcessRecord.objects.create(
                record_id=uuid.uuid4(), case_number=f"{person}-{step}",
                implementation_code=codes[item], message_type="0", event="submit",
                occurred_at=NOW + datetime.timedelta(days=10 * step),
                region_code="440100", department_code=department.credit_code, source="test",
                payload={"applicant": {"kind": "person", "id_key": person}},
            )  # fmt: skip
    export.export_records()
    pairs = {(f, t): (n, b) for f, t, n, b, _s in examples.next_items(store.connect())}
    assert pairs == {(codes["A"], codes["B"]): (3, 4), (codes["A"], codes["C"]): (1, 4)}
    assert Counter(f for f, _ in pairs) == {codes["A"]: 2}
