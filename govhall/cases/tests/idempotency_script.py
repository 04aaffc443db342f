"""Run by test_idempotency: eight clients send one application with one Idempotency-Key at
the same moment, through the API, on whatever database is set up.

Kept as a module so the SQLite variant can run it in a child process against a file
database configured as in production (WAL, IMMEDIATE), where writers queue.
"""

from __future__ import annotations

import threading

from django.db import connection

THREADS = 8
JSON = "application/json"


def run() -> dict:
    from django.test import Client

    from govhall.cases.models import Application, Case
    from govhall.cases.services import applications
    from tests.factories import bearer_header

    from . import factories as f

    identity, item = f.applicant(), f.item()
    probe = Application(item=item)
    files = {
        need.key: applications.store_file(identity.user, f.pdf(need.name), title=need.name)
        for need in applications.material_needs(probe)
        if need.required and not need.fetched_by_hall
    }
    body = {
        "item": item.implementation_code,
        "answers": f.ANSWERS,
        "contact_phone": "13800138000",
        "delivery": "electronic",
        "materials": [{"key": k, "locker_file": str(v.public_id)} for k, v in files.items()],
    }
    headers = {**bearer_header(identity.user), "HTTP_IDEMPOTENCY_KEY": "parallel-7f3a"}
    barrier, failures, answers = threading.Barrier(THREADS), [], []

    def worker() -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = client.post("/api/v1/applications/apply", body, content_type=JSON, **headers)
            answers.append((response.status_code, response.json()))
        except Exception as exc:  # reported by the test
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return {
        "failures": failures,
        "statuses": sorted(status for status, _ in answers),
        "case_lists": sorted({str(answer.get("cases")) for _, answer in answers}),
        "cases": Case.objects.filter(user=identity.user).count(),
        "applications": Application.objects.filter(user=identity.user).count(),
    }
