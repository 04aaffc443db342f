"""The load test's scenario file loads and declares the mix; the knee is read from
Locust's statistics as documented (the benchmark itself is `python -m bench load`)."""

import json
import subprocess
import sys
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
DATA = {
    "search_terms": ["营业执照"],
    "item_codes": ["x"],
    "halls": ["440000"],
    "applicants": [{"token": "t", "id_number": "x", "locker": {}}],
    "apply_items": [],
    "answers": {},
    "staff": [{"token": "t", "session": "s"}],
    "exchange": {"token": "t", "bodies": ["{}"]},
    "licences": ["x"],
}


def test_the_scenario_declares_the_mix(tmp_path):
    data = tmp_path / "data.json"
    data.write_text(json.dumps(DATA))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load_locustfile.py"),
            "--list",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "GOVHALL_LOAD_DATA": str(data)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    listed = set(done.stdout.split())
    assert {"CitizenBrowsing", "Applicant", "Staff", "ExchangeClient", "Verifier"} <= listed


def _stats(path: Path, rows: list[tuple[str, str, int, float, float]]) -> None:
    header = "Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%\n"
    lines = [f"{t},{n},{c},0,{c / 40:.2f},{p50},{p95},{p95}" for t, n, c, p50, p95 in rows]
    path.write_text(header + "\n".join(lines) + "\n")


def test_the_knee_is_the_worst_p95_of_the_pages(tmp_path):
    _stats(
        tmp_path / "step_stats.csv",
        [
            ("GET", "GET /items/[code]/", 400, 120, 1300),
            ("POST", "POST /api/v1/exchange/process-records (50)", 20, 900, 4000),
            ("GET", "GET /", 100, 40, 300),
            ("", "Aggregated", 520, 100, 1200),
        ],
    )
    statuses = {"GET /items/[code]/": {"200": 398, "502": 2}}
    rows = load.read_stats(tmp_path / "step", statuses)
    step = load.Step(64, 40, rows, {"wall": 40.0}, {})
    # The exchange's bulk push has its own budget: the knee is the guide page's p95.
    assert step.worst_p95() == (1300.0, "GET /items/[code]/")
    assert step.server_errors == 2 and step.total.server_errors == 2
