"""The evaluation set, run against the assistant and the plain search API on the demo
catalogue: the thresholds below are the figures measured, less a question or two of
slack, so a regression fails here (latency is measured by ``assistant_evaluate``, not
asserted in a unit test)."""

from __future__ import annotations

import pytest

from govhall.assistant.evaluation import runner

pytestmark = pytest.mark.django_db


def test_the_question_sets_are_realistic_and_large_enough():
    main, holdout = runner.load_questions(), runner.load_questions(runner.HOLDOUT)
    assert len(main) >= 100 and len(holdout) >= 90
    assert len(main) + len(holdout) >= 200
    texts = [q.text for q in main + holdout]
    assert len(set(texts)) == len(texts)
    names = {n for q in main + holdout for n in q.expected}
    assert not any(q.text in names for q in main + holdout)  # not copied from item names
    assert {q.aspect for q in main} >= {"overview", "materials", "fees", "time_limit"}


@pytest.mark.parametrize(
    ("path", "top1", "top3", "aspect"),
    [(runner.QUESTIONS, 93.0, 96.0, 90.0), (runner.HOLDOUT, 87.5, 93.0, 87.0)],
    ids=["main", "holdout"],
)
def test_accuracy_and_faithfulness(full_catalog, path, top1, top3, aspect):
    assistant, search = runner.evaluate(runner.load_questions(path))
    print("\n" + runner.report(assistant, search))
    figures = assistant.as_dict()
    assert figures["top1"] >= top1, assistant.misses
    assert figures["top3"] >= top3, assistant.misses
    assert figures["aspect"] >= aspect, assistant.misses
    if path == runner.QUESTIONS:
        assert figures["top1"] > search.as_dict()["top1"]
    # On the held-out set the lead over plain search is not assured: on PostgreSQL
    # (ts_rank) the search API's top-1 is slightly higher (docs/assistant.md has both).
    # Every answer that states something cites it, and states only its clauses verbatim.
    assert assistant.answered >= 0.9 * assistant.total
    assert assistant.cited == assistant.answered
    assert assistant.faithful == assistant.answered
