"""The load test's users (Locust): the mix of a working day at the hall.

Run by ``python -m bench load``, which prepares the data this file reads from the JSON
file named by ``GOVHALL_LOAD_DATA`` (tokens, ID numbers, item codes, licence
identifiers, exchange batches) and starts the servers. The mix — weights are users per
100 — and the think times are here, in one place:

* 50 citizens browsing: the home page, a hall, search, a service guide;
* 12 applicants (bearer tokens, as the mobile app): apply in one call, list their
  cases, check a case's progress (the public query with their ID number);
* 8 staff: the workbench inbox page, then the next action on the oldest case of their
  department's inbox through the staff API (accept, complete the step, decide, conclude);
* 2 exchange clients: push a batch of 50 process records;
* 28 verifiers: verify a licence by identifier (the public API) and the verify page.

Every simulated person has an address of its own (``X-Forwarded-For``, as a load
balancer in front of nginx would send), so per-address limits apply per person.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import uuid

from locust import FastHttpUser, between, events, task

DATA = json.load(open(os.environ["GOVHALL_LOAD_DATA"], encoding="utf-8"))  # noqa: SIM115
STATUS_FILE = os.environ.get("GOVHALL_LOAD_STATUS", "")
_addresses = itertools.count(1)
_lock = threading.Lock()
_bodies = itertools.cycle(range(len(DATA["exchange"]["bodies"]) or 1))
_status: dict[str, dict[str, int]] = {}


@events.request.add_listener
def _count_status(name, response, exception, **kwargs):
    code = getattr(response, "status_code", 0) or 0
    by_name = _status.setdefault(name, {})
    key = str(code) if code else (exception.__class__.__name__ if exception else "0")
    by_name[key] = by_name.get(key, 0) + 1


@events.test_stop.add_listener
def _write_status(**kwargs):
    if STATUS_FILE:
        with open(STATUS_FILE, "w", encoding="utf-8") as out:
            json.dump(_status, out)


class Person(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self):
        index = next(_addresses)
        self.address = f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"
        self.headers = {"X-Forwarded-For": self.address}

    def get(self, path, name, **kwargs):
        return self.client.get(path, name=name, headers=self.headers, **kwargs)


class CitizenBrowsing(Person):
    weight = 50

    @task(3)
    def search(self):
        term = random.choice(DATA["search_terms"])
        self.get(f"/search/?q={term}", "GET /search/?q=[term]")

    @task(3)
    def guide(self):
        code = random.choice(DATA["item_codes"])
        self.get(f"/items/{code}/", "GET /items/[code]/")

    @task(1)
    def home(self):
        self.get("/", "GET /")

    @task(1)
    def hall(self):
        self.get(f"/halls/{random.choice(DATA['halls'])}/", "GET /halls/[code]/")


class Applicant(Person):
    weight = 12

    def on_start(self):
        super().on_start()
        me = DATA["applicants"][random.randrange(len(DATA["applicants"]))]
        self.me = me
        self.headers = {**self.headers, "Authorization": f"Bearer {me['token']}"}
        self.numbers: list[str] = []

    @task(2)
    def apply(self):
        item = random.choice(DATA["apply_items"])
        body = {
            "item": item["code"],
            "answers": DATA["answers"],
            **item["contact"],
            "materials": [
                {"key": key, "locker_file": self.me["locker"][key]} for key in item["needs"]
            ],
        }
        headers = {
            **self.headers,
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        with self.client.post(
            "/api/v1/applications/apply",
            data=json.dumps(body),
            headers=headers,
            name="POST /api/v1/applications/apply",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                self.numbers.extend(case["number"] for case in response.json()["cases"])
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

    @task(2)
    def my_cases(self):
        self.get("/api/v1/my/cases/", "GET /api/v1/my/cases/")

    @task(3)
    def progress(self):
        if not self.numbers:
            return
        number = random.choice(self.numbers)
        headers = {"X-Forwarded-For": self.address}
        self.client.get(
            f"/api/v1/cases/{number}/progress?applicant_id={self.me['id_number']}",
            name="GET /api/v1/cases/[number]/progress",
            headers=headers,
        )


ACTIONS = ("accept", "complete-step", "decide", "conclude")


class Staff(Person):
    weight = 8

    def on_start(self):
        super().on_start()
        me = DATA["staff"][random.randrange(len(DATA["staff"]))]
        self.bearer = {**self.headers, "Authorization": f"Bearer {me['token']}"}
        self.cookies = {**self.headers, "Cookie": f"sessionid={me['session']}"}

    @task(2)
    def inbox_page(self):
        self.client.get("/workbench/cases/", name="GET /workbench/cases/", headers=self.cookies)

    @task(3)
    def work_next_case(self):
        inbox = self.client.get(
            "/api/v1/staff/inbox/", name="GET /api/v1/staff/inbox/", headers=self.bearer
        )
        if inbox.status_code != 200:
            return
        results = inbox.json().get("results") or []
        if not results:
            return
        number = random.choice(results[:10])["case_number"]
        detail = self.client.get(
            f"/api/v1/staff/cases/{number}/",
            name="GET /api/v1/staff/cases/[number]/",
            headers=self.bearer,
        )
        if detail.status_code != 200:
            return
        allowed = [a["action"] for a in detail.json().get("allowed_actions", [])]
        action = next((a for a in ACTIONS if a in allowed), None)
        if action is None:
            return
        body = {"opinion": "同意"}
        if action == "decide":
            body["decision"] = "approve"
        if action == "conclude":
            body["delivery"] = "electronic"
        with self.client.post(
            f"/api/v1/staff/cases/{number}/actions/{action}",
            data=json.dumps(body),
            headers={**self.bearer, "Content-Type": "application/json"},
            name=f"POST /api/v1/staff/cases/[number]/actions/{action}",
            catch_response=True,
        ) as response:
            # 409: a colleague acted on the same case a moment earlier — the right answer.
            if response.status_code in (200, 409):
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")


class ExchangeClient(Person):
    weight = 2
    wait_time = between(2, 4)

    def on_start(self):
        super().on_start()
        self.headers = {
            **self.headers,
            "Authorization": f"Bearer {DATA['exchange']['token']}",
            "Content-Type": "application/json",
        }

    @task
    def push(self):
        with _lock:
            index = next(_bodies)
        self.client.post(
            "/api/v1/exchange/process-records",
            data=DATA["exchange"]["bodies"][index],
            headers=self.headers,
            name="POST /api/v1/exchange/process-records (50)",
        )


class Verifier(Person):
    weight = 28

    @task(3)
    def verify_api(self):
        identifier = random.choice(DATA["licences"])
        self.client.post(
            "/api/v1/licences/verify",
            data=json.dumps({"identifier": identifier}),
            headers={**self.headers, "Content-Type": "application/json"},
            name="POST /api/v1/licences/verify",
        )

    @task(1)
    def verify_page(self):
        identifier = random.choice(DATA["licences"])
        self.get(f"/licences/verify/?id={identifier}", "GET /licences/verify/?id=")
