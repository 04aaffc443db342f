"""Run by test_idempotency: eight clients send one application with one Idempotency-Key at
the same moment, through the API, on whatever database is set up.

Kept as a module so the SQLite variant can run it in a child process against a file
database configured as in production (WAL, IMMEDIATE), where writers queue.
"""

from __future__ import annotations

from .writers import at_once

THREADS = 8
JSON = "application/json"


def run() -> dict:
    from django.test import Client

    from govhall.cases.models import Application, Case
    from tests.factories import bearer_header

    from . import factories as f

    identity, item = f.applicant(), f.item()
    files = f.locker(identity, item)
    body = {
        "item": item.implementation_code,
        "answers": f.ANSWERS,
        "contact_phone": "13800138000",
        "delivery": "electronic",
        "materials": [{"key": k, "locker_file": str(v.public_id)} for k, v in files.items()],
    }
    headers = {**bearer_header(identity.user), "HTTP_IDEMPOTENCY_KEY": "parallel-7f3a"}
    answers = []

    def send(_index: int) -> None:
        response = Client().post("/api/v1/applications/apply", body, content_type=JSON, **headers)
        answers.append((response.status_code, response.json()))

    failures = at_once(send, THREADS)
    return {
        "failures": failures,
        "statuses": sorted(status for status, _ in answers),
        "case_lists": sorted({str(answer.get("cases")) for _, answer in answers}),
        "cases": Case.objects.filter(user=identity.user).count(),
        "applications": Application.objects.filter(user=identity.user).count(),
    }
