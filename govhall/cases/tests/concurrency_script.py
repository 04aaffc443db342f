"""Run by test_concurrency: many threads submitting at once, on whatever database is set up.

Kept as a module so the SQLite variant can run it in a child process against a file
database configured as in production (WAL, IMMEDIATE), where writers queue.
"""

from __future__ import annotations

from .writers import at_once

THREADS, PER_THREAD = 4, 5


def run() -> dict:
    from govhall.cases.models import Case
    from govhall.cases.services import applications

    from . import factories as f

    item = f.item(f.department("江门市民政局"))
    identities = [f.applicant() for _ in range(THREADS)]
    drafts = []
    for identity in identities:
        row = []
        for _ in range(PER_THREAD):
            application = applications.start(identity, item=item)
            f.fill(application, identity)
            row.append(application)
        drafts.append(row)
    # one more draft, submitted by every thread at once with the same idempotency key
    double_identity = f.applicant()
    double = applications.start(double_identity, item=item)
    f.fill(double, double_identity)

    numbers, double_answers = [], []

    def submit(index: int) -> None:
        for application in drafts[index]:
            (case,) = applications.submit(application, identities[index])
            numbers.append(case.number)
        cases = applications.submit(double, double_identity, idempotency_key="same-key")
        double_answers.append([c.number for c in cases])

    failures = at_once(submit, THREADS)
    return {
        "failures": failures,
        "numbers": numbers,
        "double_answers": double_answers,
        "double_cases": Case.objects.filter(application=double).count(),
    }
