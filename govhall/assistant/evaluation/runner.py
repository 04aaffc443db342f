"""The assistant's evaluation: the question set against the assistant and, as a baseline,
the plain catalogue search on the same questions, in one run.

Figures: top-1 and top-3 item accuracy (the expected item's name among the first
``items``), aspect accuracy, the share of answers whose every line carries a citation,
the share whose citations are word for word the clauses of the cited guide version
(faithfulness: nothing stated that the guide does not say), and latency p50/p95.
``manage.py assistant_evaluate`` prints them; the test suite asserts the thresholds.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

QUESTIONS = Path(__file__).resolve().parent / "questions.tsv"
HOLDOUT = Path(__file__).resolve().parent / "holdout.tsv"
MARKER = re.compile(r"〔(\d+)〕$")


@dataclass(frozen=True)
class Question:
    text: str
    region: str
    expected: frozenset[str]
    aspect: str


@dataclass
class Figures:
    name: str
    total: int = 0
    top1: int = 0
    top3: int = 0
    aspect: int = 0
    cited: int = 0
    faithful: int = 0
    answered: int = 0
    latencies: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        return 100.0 * count / self.total if self.total else 0.0

    def p(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def as_dict(self) -> dict:
        return {
            "questions": self.total,
            "top1": round(self.share(self.top1), 1),
            "top3": round(self.share(self.top3), 1),
            "aspect": round(self.share(self.aspect), 1),
            "cited": round(self.share(self.cited), 1),
            "faithful": round(self.share(self.faithful), 1),
            "p50_ms": round(statistics.median(self.latencies), 1) if self.latencies else 0.0,
            "p95_ms": round(self.p(0.95), 1),
        }


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        parts += [""] * (4 - len(parts))
        text, region, names, aspect = (p.strip() for p in parts[:4])
        out.append(Question(text, region, frozenset(names.split("/")), aspect or "overview"))
    return out


def every_line_cited(body: dict) -> bool:
    lines = body["answer"].splitlines()[1:]
    if not lines or not body["citations"]:
        return False
    for line in lines:
        match = MARKER.search(line)
        if not match or not 1 <= int(match.group(1)) <= len(body["citations"]):
            return False
    return True


def faithful(body: dict) -> bool:
    """Every citation is the cited version's clause, verbatim, and every numbered line is
    exactly its cited clause (so no material, fee or limit appears that the guide lacks)."""
    from ..models import Clause, KnowledgeEntry

    for citation in body["citations"]:
        if citation["section"].startswith("qa."):
            ok = KnowledgeEntry.objects.filter(
                public_id=citation["section"][3:], answer=citation["text"], state="published"
            ).exists()
        else:
            ok = Clause.objects.filter(
                implementation_code=citation["implementation_code"],
                version_number=citation["version"],
                key=citation["section"],
                text=citation["text"],
            ).exists()
        if not ok:
            return False
    for line in body["answer"].splitlines()[1:]:
        match = MARKER.search(line)
        if match is None:
            return False
        text = re.sub(r"^\d+\.\s*", "", line[: match.start()])
        if text != body["citations"][int(match.group(1)) - 1]["text"]:
            return False
    return True


def run_assistant(questions: list[Question]) -> Figures:
    from ..services import answering

    figures = Figures("assistant")
    for q in questions:
        start = time.perf_counter()
        body = answering.ask(q.text, region=q.region).as_dict()
        figures.latencies.append((time.perf_counter() - start) * 1000)
        figures.total += 1
        names = [i["name"] for i in body["items"]]
        hit1 = bool(names) and names[0] in q.expected
        figures.top1 += hit1
        figures.top3 += any(n in q.expected for n in names[:3])
        figures.aspect += body["aspect"] == q.aspect
        if body["citations"]:
            figures.answered += 1
            figures.cited += every_line_cited(body)
            figures.faithful += faithful(body)
        if not hit1 or body["aspect"] != q.aspect:
            figures.misses.append(f"{q.text} → {names[:2]} / {body['aspect']}")
    return figures


def run_search(questions: list[Question]) -> Figures:
    from govhall.search.engine import search_items

    figures = Figures("search API")
    for q in questions:
        start = time.perf_counter()
        names = [item.name for item in search_items(q.text, region=q.region)[:3]]
        figures.latencies.append((time.perf_counter() - start) * 1000)
        figures.total += 1
        figures.top1 += bool(names) and names[0] in q.expected
        figures.top3 += any(n in q.expected for n in names[:3])
    return figures


def evaluate(questions: list[Question] | None = None) -> tuple[Figures, Figures]:
    """Both runs; the assistant's turns and queue rows are rolled back afterwards."""
    questions = questions or load_questions()
    run_search(questions[:5])  # warm the segmenter and caches for both
    with transaction.atomic():
        assistant = run_assistant(questions)
        transaction.set_rollback(True)
    return assistant, run_search(questions)


def report(assistant: Figures, search: Figures) -> str:
    a, s = assistant.as_dict(), search.as_dict()
    rows = [
        ("questions", a["questions"], s["questions"]),
        ("top-1 item %", a["top1"], s["top1"]),
        ("top-3 item %", a["top3"], s["top3"]),
        ("aspect %", a["aspect"], "—"),
        ("every line cited % (of answers)", _of(assistant, assistant.cited), "—"),
        ("faithful to clauses % (of answers)", _of(assistant, assistant.faithful), "—"),
        ("latency p50 ms", a["p50_ms"], s["p50_ms"]),
        ("latency p95 ms", a["p95_ms"], s["p95_ms"]),
    ]
    lines = [f"{'':36}{'assistant':>12}{'search API':>12}"]
    lines += [f"{name:36}{x!s:>12}{y!s:>12}" for name, x, y in rows]
    return "\n".join(lines)


def _of(figures: Figures, count: int) -> float:
    return round(100.0 * count / figures.answered, 1) if figures.answered else 0.0
