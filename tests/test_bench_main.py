"""``python -m bench NAME`` dispatches every listed benchmark by its name."""

from bench import __main__ as bench


def test_the_cpu_benchmark_is_listed_and_says_why_it_skips_without_postgresql(monkeypatch, capsys):
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    assert "cases-cpu" in bench.BENCHMARKS
    assert bench.main(["cases-cpu"]) == 0
    assert capsys.readouterr().out == (
        "cases-cpu: skipped (PostgreSQL only; set BENCH_DATABASE_URL or --database)\n"
    )
