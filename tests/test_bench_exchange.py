"""The exchange benchmark end to end at a tiny volume, on whatever database the suite
runs on (``python -m bench exchange`` itself is not part of the suite): records
generated, two exchange clients pushing through the real API of the live server, the
COPY baseline (PostgreSQL) or its stated skip (SQLite), the refresh, and the three query
paths agreeing on every number."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import exchange
from govhall.exchange.models import ExchangeCall, ExchangeClient
from govhall.monitoring.models import CaseFact
from govhall.records.models import ProcessRecord


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_runs_at_a_tiny_volume(live_server, transactional_reference_data, capsys):
    # The two clients push at once, on SQLite too (each request thread of the live server
    # has its own connection; the second writer waits for the first).
    options = exchange.Options(records=3000, batches=2, clients=2, runs=1)
    results = exchange.run(options, live_server.url)
    out = capsys.readouterr().out
    assert "2 clients concurrently" in out

    # (a) two clients, one warm-up and one timed batch of 1,000 each, all accepted
    assert results.ingest_accepted == 2000 and results.ingest_rate > 0
    assert set(ExchangeClient.objects.values_list("code", flat=True)) == {
        "bench-jiangmen",
        "bench-chaozhou",
    }
    calls = ExchangeCall.objects.filter(path="/api/v1/exchange/process-records")
    assert sorted(calls.values_list("accepted", flat=True)) == [1000] * 4
    assert ProcessRecord.objects.filter(source="bench-jiangmen").count() == 2000
    assert "records/s" in out
    # (b) the baseline, or why there is none
    if connection.vendor == "postgresql":
        assert results.copy_rate > 0 and "ingest / COPY = " in out
    else:
        assert results.copy_rate is None
        assert "(b) COPY baseline: skipped — SQLite has no COPY" in out
    assert not ProcessRecord.objects.filter(source="bench-copy").exists()
    # (c) refresh over everything, then 1,000 more; the queries agree on every number
    assert results.refresh_records == 3000 + 4000
    assert ProcessRecord.objects.count() == 3000 + 4000 + 1000
    assert CaseFact.objects.exists() and results.incremental_seconds > 0
    assert results.same_counters
    for view in ("province", "city"):
        assert set(results.queries[view]) == {"records (cold)", "facts", "roll-ups"}
    assert "the three paths give the same numerators and denominators: yes" in out


@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["flat", "partitioned"])
def test_cold_counters_match_the_rollups_for_every_slice_shape(layout):
    """The record path's SQL against the refresh, for a whole region, a level's own
    departments, one department and no item type — on one table and (PostgreSQL) on the
    table partitioned by month, whose join reads the months by the concluded cases'
    numbers."""
    import datetime

    from govhall.demo.generators import records as generator
    from govhall.monitoring.models import TargetScope
    from govhall.monitoring.services import indicators, refresh
    from govhall.monitoring.services.indicators import Slice
    from govhall.records.services import partitions

    if layout == "partitioned":
        if connection.vendor != "postgresql":
            pytest.skip("partitions are PostgreSQL's")
        with connection.cursor() as cursor:
            partitions.partition(cursor)  # inside the test's transaction, rolled back
        partitions.ensure_months(since=datetime.date.today() - datetime.timedelta(days=150))
    generator.generate(6000, months=3, seed=41, cities=2, source="bench")
    refresh.refresh()
    month = exchange.last_whole_month()
    base = Slice.month(month.year, month.month, region_code="440200")
    department = (
        CaseFact.objects.filter(month=month, region_code="440200", item_type="XK")
        .values_list("department_code", flat=True)
        .first()
    )
    slices = [
        base,
        base.with_region("440200", TargetScope.DEPARTMENTS),
        Slice.month(month.year, month.month, region_code="440200", department_code=department),
        Slice.month(month.year, month.month, region_code="440000", item_type=""),
    ]
    none = exchange._derived({})
    for s in slices:
        cold = exchange.records_grouped(s, None).get("all", none)
        facts = exchange.facts_grouped(s, None).get("all", none)
        assert cold == facts == indicators.counters(s), s
        assert cold["volume"] > 0, s
    assert partitions.is_partitioned() == (layout == "partitioned")


def test_server_and_database_choices(monkeypatch):
    command, description = exchange.server_command(8123)
    assert "gunicorn" in description and "127.0.0.1:8123" in command
    command, description = exchange.server_command(8123, "runserver")
    assert command[-1] == "127.0.0.1:8123" and "--noreload" in command
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.sqlite3")
    assert exchange.database_from(None) == "sqlite"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/govhall_bench")
    assert exchange.database_from(None) == "postgres://u@h:5432/govhall_bench"
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgres://u@h:5432/other")
    assert exchange.database_from(None) == "postgres://u@h:5432/other"
    assert exchange.database_from("sqlite") == "sqlite"
