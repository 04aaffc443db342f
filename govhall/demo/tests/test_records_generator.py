"""The process-record generator: the same seed gives the same records, every case's
records come in a possible order, the volume is exact, the payload is the exchange
format, and the records fold into roll-ups with indicators that look like a province."""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from govhall.core.models import AuditEntry
from govhall.demo.generators import records as generator
from govhall.monitoring.models import CaseFact, MonthlyRollup
from govhall.monitoring.services import indicators, refresh
from govhall.monitoring.services.indicators import Slice
from govhall.records import events as stream_events
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parents[2] / "exchange" / "schemas" / "process-record-1.0.json"
NOW = datetime.datetime(2026, 11, 22, 15, 30, tzinfo=generator.SHANGHAI)
ONLINE = {"online", "mobile"}
# After which events nothing else may happen to a case, and what may follow a conclusion.
FINAL = {"withdraw", "reject"}
AFTER_CONCLUSION = {"deliver", "rate"}


def cases_of(count: int, *, seed: int = 7, cities: int = 3, months: int = 6):
    start, end = generator.window(months, None, NOW)
    plan = generator.build_plan(cities=cities, seed=seed)
    return list(generator.stream(count, start=start, end=end, seed=seed, plan=plan))


def test_the_same_seed_gives_the_same_records_and_another_seed_others():
    first = cases_of(3000)
    again = cases_of(3000)
    assert [r.payload for rows in first for r in rows] == [
        r.payload for rows in again for r in rows
    ]
    other = cases_of(3000, seed=8)
    ids = {r.record_id for rows in first for r in rows}
    assert not ids & {r.record_id for rows in other for r in rows}
    assert generator.first_record_id(7) == first[0][0].record_id


def test_each_case_runs_in_order_from_application_to_its_end():
    cases = cases_of(6000)
    assert sum(len(rows) for rows in cases) == 6000
    numbers = Counter(rows[0].case_number for rows in cases)
    assert max(numbers.values()) == 1  # one stream per case number
    events = Counter()
    applied = [rows[0].occurred_at for rows in cases]
    assert applied == sorted(applied)  # cases come in order of application
    for rows in cases:
        assert rows[0].message_type == "0" and rows[0].event == "submit"
        times = [r.occurred_at for r in rows]
        assert times == sorted(times) and len(set(times)) == len(times)  # strictly ascending
        visits = [r.visits for r in rows]
        assert visits == sorted(visits) and 0 <= visits[-1] <= 3
        names = [r.event for r in rows]
        events.update(names)
        first_at: dict[str, int] = {}
        for row in rows:  # the event definitions' message types and order
            event = stream_events.get(row.event)
            assert row.message_type == event.message_type, names
            assert all(first_at[e] <= row.occurred_at for e in event.follows if e in first_at)
            first_at.setdefault(row.event, row.occurred_at)
        for index, name in enumerate(names):
            if name in FINAL:
                assert index == len(names) - 1, names
        if "conclude" in names:
            after = names[names.index("conclude") + 1 :]
            assert set(after) <= AFTER_CONCLUSION, names
            assert names.index("accept") < names.index("decide") < names.index("conclude")
            if rows[0].case_type == "2":  # 承诺件: 承办 and 审核 before 批准
                steps = [json.loads(r.payload)["details"]["step_code"] for r in rows
                         if r.event in ("complete_step", "decide")]  # fmt: skip
                assert steps[-3:] == ["1", "2", "3"]
        if "submit_correction" in names:
            assert names.index("request_correction") < names.index("submit_correction")
        if "end_special" in names:
            assert names.index("start_special") < names.index("end_special")
        for row in rows:  # the columns are the payload's fields
            payload = json.loads(row.payload)
            assert payload["record_id"] == row.record_id
            assert payload["case_number"] == row.case_number
            assert payload["event"] == row.event and payload["visits"] == row.visits
            assert payload["occurred_at"] == generator.iso(row.occurred_at)
            assert payload["department"]["code"] == row.department_code
    # Every kind of record shows up in a few thousand.
    expected = {"request_correction", "submit_correction", "reject", "withdraw", "decide"}
    expected |= {"conclude", "deliver", "rate", "complete_step", "start_special", "end_special"}
    assert expected <= {name for name, count in events.items() if count > 0}
    channels = Counter(rows[0].channel for rows in cases)
    assert set(channels) == {"online", "mobile", "counter", "kiosk", "third_party"}


def test_payloads_are_valid_exchange_records():
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    rows = [row for rows in cases_of(1500, seed=11, cities=21) for row in rows]
    assert {row.message_type for row in rows} >= set("023456789R")
    problems = [
        (row.event, error.message)
        for row in rows
        for error in validator.iter_errors(json.loads(row.payload))
    ]
    assert problems == []


def test_codes_are_catalogue_items_or_synthetic_28_characters():
    from govhall.catalog.models import Item

    rows = [row for rows in cases_of(2000, cities=21) for row in rows]
    catalogue = set(Item.objects.values_list("implementation_code", flat=True))
    credit_codes = set(Department.objects.values_list("credit_code", flat=True))
    for code in {row.implementation_code for row in rows} - catalogue:
        assert len(code) == 28 and code[:18] in credit_codes, code
        assert code[18:20] in {"XK", "QR", "JF", "GG", "QT"} and code[20:].isdigit()
    number = rows[0].case_number
    assert len(number) == 29 and number[:6] == rows[0].region_code[:6]


def test_generate_writes_exactly_the_volume_asked_and_refuses_a_used_seed():
    report = generator.generate(2345, months=3, seed=21, cities=2, source="test-gen", now=NOW)
    assert report.records == 2345
    written = ProcessRecord.objects.filter(source="test-gen")
    assert written.count() == 2345
    assert written.values("case_number").distinct().count() == report.cases
    times = written.values_list("occurred_at", flat=True)
    assert min(times) >= report.first and max(times) < report.last
    assert report.last == NOW
    assert {r[:4] for r in written.values_list("region_code", flat=True)} == {"4401", "4402"}
    assert AuditEntry.objects.filter(object_type=ProcessRecord._meta.label_lower).exists()
    with pytest.raises(ValueError, match="已经生成过"):
        generator.generate(10, seed=21, cities=2, now=NOW)
    # What the database holds is what the stream produced.
    stored = written.get(record_id=generator.first_record_id(21))
    assert stored.payload["record_id"] == generator.first_record_id(21)
    assert stored.payload["format"] == "1.0" and stored.message_type == "0"


def test_records_fold_into_rollups_with_plausible_indicators():
    generator.generate(30_000, months=4, end_month=datetime.date(2026, 10, 1), seed=5,
                       cities=21, source="test-fold", now=NOW)  # fmt: skip
    assert refresh.refresh() == 30_000
    concluded = ProcessRecord.objects.filter(event="conclude").values("case_number").distinct()
    assert CaseFact.objects.filter(month__isnull=False).count() == concluded.count()
    volume = MonthlyRollup.objects.aggregate(total=Sum("volume"))["total"]
    assert volume == concluded.count()
    # Four whole months: September's province-wide licensing figures look like a province.
    september = Slice.month(2026, 9, region_code="440000")
    figures = indicators.figures(september)
    online = figures["online_apply"]
    assert online.denominator > 300
    assert 55 <= online.rate <= 90
    assert figures["online_conclude"].rate < online.rate
    assert 80 <= figures["visits_le1"].rate <= 100
    assert 40 <= figures["visits_zero"].rate < figures["visits_le1"].rate
    # The cities differ, the Pearl River Delta applying online more than the rest.
    rows = {unit.code: unit for unit in indicators.units(september) if unit.kind == "region"}
    assert len(rows) == 21
    rates = {code: unit.figures["online_apply"].rate for code, unit in rows.items()}
    assert len(set(rates.values())) > 10
    delta = [rows[c].counters for c in generator.PEARL_RIVER_DELTA]
    rest = [unit.counters for code, unit in rows.items() if code not in generator.PEARL_RIVER_DELTA]

    def share(counters):
        return sum(c["online_applied"] for c in counters) / sum(c["volume"] for c in counters)

    assert share(delta) > share(rest) + 0.1
    # Guangzhou and Shenzhen are the biggest.
    biggest = sorted(rows.values(), key=lambda unit: -unit.volume)[:3]
    assert {"440100", "440300"} <= {unit.code for unit in biggest}


def test_visits_follow_the_channel():
    rows = [rows for rows in cases_of(20_000, cities=21, seed=3)]
    final = defaultdict(list)
    for case in rows:
        final[case[0].channel].append(max(r.visits for r in case))
    online = final["online"] + final["mobile"]
    assert sum(v == 0 for v in online) / len(online) > 0.5
    assert sum(v >= 1 for v in final["counter"]) == len(final["counter"])


def test_demo_set_is_small_recent_and_written_once():
    assert generator.load_demo() == generator.DEMO_RECORDS
    demo = ProcessRecord.objects.filter(source=generator.DEMO_SOURCE)
    assert demo.count() == 20_000
    from django.utils import timezone

    oldest = timezone.localtime(min(demo.values_list("occurred_at", flat=True)))
    today = timezone.localdate()
    assert (today - oldest.date()).days <= 366
    assert max(demo.values_list("occurred_at", flat=True)) <= timezone.now()
    assert MonthlyRollup.objects.exists()  # folded in
    assert generator.load_demo() == 0


def test_command_prints_the_rate_and_refuses_bad_options():
    out = __import__("io").StringIO()
    call_command("generate_process_records", records=700, seed=31, cities=2, months=2,
                 source="test-cmd", refresh=True, stdout=out)  # fmt: skip
    text = out.getvalue()
    assert "生成过程信息 700 条" in text and "条/秒" in text and "已汇总700条" in text
    assert ProcessRecord.objects.filter(source="test-cmd").count() == 700
    with pytest.raises(CommandError, match="已经生成过"):
        call_command("generate_process_records", records=10, seed=31, cities=2, stdout=out)
    with pytest.raises(CommandError, match="正整数"):
        call_command("generate_process_records", records=0, stdout=out)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("generate_process_records", "--end-month", "2026/10", stdout=out)
