"""The next-service benchmark runs end to end on a small history and prints each
variant's hit rate against the relations-only baseline; the recommendation beats it."""

import re

from bench import recommend


def test_prints_hit_rates_and_the_recommendation_beats_the_baseline(capsys):
    assert recommend.main(["--applicants", "600", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    rates = {
        label.strip(): float(rate)
        for label, rate in re.findall(r"^  (\S.*?)\s+(\d+\.\d)%\s+\d+\.\d%\s+\d+\.\d%$", out, re.M)
    }
    assert set(rates) == {
        "baseline: declared follow-ons",
        "(every declared relation)",
        "co-occurrence alone",
        "recommendation (both)",
    }
    assert rates["recommendation (both)"] > rates["baseline: declared follow-ons"]
    assert "recommendation / baseline:" in out
