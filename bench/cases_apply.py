"""Creating applications: the whole applicant flow per application, against the floor.

* service layer: ``applications.start`` → ``save_answers`` (a six-field form, contact
  phone) → ``attach`` each required material from the applicant's locker → ``submit``
  with an idempotency key: one case with its number, task, process record, outbox row,
  audit entry and notification;
* one call: ``applications.apply`` — answers, locker materials and submission in one
  transaction — in process, and ``POST /api/v1/applications/apply`` with a bearer token
  to the app served by gunicorn (docs/api.md);
* baseline: one bare ``Application`` draft INSERT in its own transaction per call — the
  floor cost of a write transaction on this machine.

Items are published online items for persons, from several departments, each given the
benchmark's form once (a new published version through the catalogue's own loader).
"""

from __future__ import annotations

import cProfile
import datetime
import io
import pstats
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govhall.accounts.models import Person, RealNameLevel
from govhall.accounts.services.acting import Identity
from govhall.cases.models import Application
from govhall.cases.services import applications
from govhall.catalog.models import Item
from govhall.catalog.services import documents, items
from govhall.core.identifiers import make_id_number
from govhall.demo.files import blank_pdf

FORM = [
    {"name": "applicant_phone", "label": "联系电话", "type": "phone", "required": True},
    {"name": "household_size", "label": "家庭人口", "type": "integer", "required": True,
     "min": 1, "max": 20},
    {"name": "married", "label": "是否已婚", "type": "boolean", "required": True},
    {"name": "spouse_name", "label": "配偶姓名", "type": "text", "required": True,
     "show_if": {"field": "married", "equals": True}},
    {"name": "moved_in", "label": "迁入日期", "type": "date", "required": False},
    {"name": "reason", "label": "申请事由", "type": "textarea", "required": True},
]  # fmt: skip
ANSWERS = {
    "applicant_phone": "13800138000",
    "household_size": 3,
    "married": True,
    "spouse_name": "陈丽",
    "moved_in": "2020-05-01",
    "reason": "本人因工作调动需办理此事项，材料已备齐。",
}
CONTACT = {"contact_phone": "13800138000", "delivery_address": "江门市蓬江区建设路1号"}
PDF = blank_pdf(padding=20_000)


@dataclass
class Setup:
    items: list[Item]
    needs: dict[int, list[str]]  # item pk -> material keys to attach
    contacts: dict[int, dict[str, str]]  # item pk -> contact and delivery the item offers
    applicants: list[Identity]
    lockers: list[dict[str, object]]  # per applicant: key -> StoredFile


def choose_items(count: int = 12) -> list[Item]:
    """Online items for persons with steps and no 秒批 rules, one per department."""
    rows = (
        Item.objects.filter(
            status=Item.Status.ACTIVE,
            current__channel_online=True,
            current__audience_codes__contains="1",
            current__min_realname_level__lte=RealNameLevel.ONLINE_VERIFIED,
        )
        .annotate(steps=Count("current__steps"))
        .filter(steps__gt=0)
        .select_related("current", "department")
        .order_by("department_id", "pk")
    )
    chosen, seen = [], set()
    for item in rows:
        if item.current.decision_rules or item.department_id in seen:
            continue
        seen.add(item.department_id)
        chosen.append(item)
        if len(chosen) == count:
            break
    for index, item in enumerate(chosen):
        if item.current.form_fields != FORM:
            doc = documents.version_document(item.current)
            doc["form_fields"] = FORM
            items.load_document(doc, publish=True, reason="基准测试：申请表单")
            chosen[index] = Item.objects.select_related("current", "department").get(pk=item.pk)
    return chosen


def applicant(index: int) -> Identity:
    username = f"bench-applicant-{index:03d}"
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"display_name": f"基准申请人{index}"}
    )
    person = Person.objects.filter(user=user).first()
    if person is None:
        person = Person.objects.create(
            user=user,
            id_number=make_id_number(
                "440703", datetime.date(1985, 1, 1) + datetime.timedelta(days=index), 500 + index
            ),
            name=f"基准申请人{index}",
            realname_level=RealNameLevel.ONLINE_VERIFIED,
        )
    return Identity(user=user, person=person)


def prepare(clients: int, item_count: int = 12) -> Setup:
    chosen = choose_items(item_count)
    if not chosen:
        raise SystemExit("没有可网上申办的事项：目录中缺少面向自然人的在线事项。")
    needs: dict[int, list[str]] = {}
    names: dict[str, str] = {}
    contacts: dict[int, dict[str, str]] = {}
    for item in chosen:
        probe = Application(item=item)
        version = item.current
        offered = [d for d in ("electronic", "pickup", "post") if getattr(version, f"delivery_{d}")]
        contacts[item.pk] = {**CONTACT, "delivery": (offered or ["pickup"])[0]}
        keys = []
        for need in applications.material_needs(probe):
            if need.required and not need.fetched_by_hall:
                keys.append(need.key)
                names[need.key] = need.name
        needs[item.pk] = keys
    identities = [applicant(i) for i in range(clients)]
    lockers = []
    for identity in identities:
        existing = {f.title: f for f in applications.locker_of(identity)}
        locker = {}
        for key, name in names.items():
            stored = existing.get(name)
            if stored is None:
                upload = SimpleUploadedFile(f"{name}.pdf", PDF, content_type="application/pdf")
                stored = applications.store_file(identity.user, upload, title=name)
            locker[key] = stored
        lockers.append(locker)
    return Setup(chosen, needs, contacts, identities, lockers)


def service_client(setup: Setup):
    """Per thread: one applicant applying for the items in turn (4 + materials calls)."""

    def client(index: int):
        identity = setup.applicants[index % len(setup.applicants)]
        locker = setup.lockers[index % len(setup.lockers)]
        turn = [index]

        def apply() -> int:
            item = setup.items[turn[0] % len(setup.items)]
            turn[0] += 1
            application = applications.start(identity, item=item)
            applications.save_answers(application, dict(ANSWERS), contact=setup.contacts[item.pk])
            for key in setup.needs[item.pk]:
                applications.attach(application, key, file=locker[key])
            applications.submit(application, identity, idempotency_key=uuid.uuid4().hex)
            return 3 + len(setup.needs[item.pk])

        return apply

    return client


def apply_once(setup: Setup, identity: Identity, locker: dict, item: Item) -> None:
    """One whole application through ``applications.apply``."""
    applications.apply(
        identity,
        item=item,
        answers=dict(ANSWERS),
        contact=setup.contacts[item.pk],
        materials={key: locker[key] for key in setup.needs[item.pk]},
        idempotency_key=uuid.uuid4().hex,
    )


def one_call_client(setup: Setup):
    """Per thread: the whole application in one service call (``applications.apply``)."""

    def client(index: int):
        identity = setup.applicants[index % len(setup.applicants)]
        locker = setup.lockers[index % len(setup.lockers)]
        turn = [index]

        def apply() -> int:
            item = setup.items[turn[0] % len(setup.items)]
            turn[0] += 1
            apply_once(setup, identity, locker, item)
            return 1

        return apply

    return client


def bearer_tokens(setup: Setup) -> list[str]:
    """One OAuth2 access token per applicant, as the mobile app would hold."""
    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model

    from govhall.accounts.services import clients

    registered = clients.register_client(
        name="基准测试移动端", redirect_uris=["https://bench.invalid/cb"]
    )
    tokens = []
    for identity in setup.applicants:
        token = get_access_token_model().objects.create(
            user=identity.user,
            application=registered.application,
            scope="openid profile",
            expires=timezone.now() + datetime.timedelta(hours=2),
            token=f"bench-{uuid.uuid4().hex}",
        )
        tokens.append(token.token)
    return tokens


class _Connection:
    """One client thread's HTTP connection: kept alive where the server offers it, and
    opened again when the server closed it (gunicorn's sync workers close every one)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = self._open()

    def _open(self):
        import http.client

        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: str | None, headers: dict, expect: int):
        """Send one request; anything but the ``expect``-ed status is an error."""
        import http.client

        try:
            self.http.request(method, path, body, headers)
            response = self.http.getresponse()
        except (http.client.HTTPException, OSError):
            self.http.close()
            self.http = self._open()
            self.http.request(method, path, body, headers)
            response = self.http.getresponse()
        content = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.http.close()
        if response.status != expect:
            raise RuntimeError(f"{method} {path} → {response.status}: {content[:300]!r}")

    def close(self) -> None:
        self.http.close()


def server_client(setup: Setup, port: int, tokens: list[str]):
    """Per thread: ``POST /api/v1/applications/apply`` to a running server, one
    application per request."""
    import json

    path = reverse("api-application-apply")

    def client(index: int):
        token = tokens[index % len(tokens)]
        locker = setup.lockers[index % len(setup.lockers)]
        turn = [index]
        connection = _Connection(port)

        def apply() -> int:
            item = setup.items[turn[0] % len(setup.items)]
            turn[0] += 1
            body = {
                "item": item.implementation_code,
                "answers": ANSWERS,
                **setup.contacts[item.pk],
                "materials": [
                    {"key": key, "locker_file": str(locker[key].public_id)}
                    for key in setup.needs[item.pk]
                ],
            }
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            connection.request("POST", path, json.dumps(body), headers, expect=201)
            return 1

        apply.close = connection.close
        return apply

    return client


def ceiling_client(port: int, tokens: list[str]):
    """Per thread: ``GET /api/v1/me`` with a bearer token — the cheapest authenticated
    call an app makes, through the same server, middleware, DRF and token check as
    ``apply``: the ceiling of any authenticated request on this machine."""
    path = reverse("me")

    def client(index: int):
        headers = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
        connection = _Connection(port)

        def me() -> int:
            connection.request("GET", path, None, headers, expect=200)
            return 1

        me.close = connection.close
        return me

    return client


def baseline_client(setup: Setup):
    """Per thread: one bare draft row per call, in its own transaction."""

    def client(index: int):
        identity = setup.applicants[index % len(setup.applicants)]
        item = setup.items[index % len(setup.items)]

        def insert() -> int:
            with transaction.atomic():
                Application.objects.create(
                    item=item,
                    user=identity.user,
                    person=identity.person,
                    contact_phone="13800138000",
                )
            return 1

        return insert

    return client


def queries_per_call(setup: Setup) -> dict[str, int]:
    """How many SQL statements each service call of one application issues."""
    from django.db import connection

    identity, locker, item = setup.applicants[0], setup.lockers[0], setup.items[0]
    connection.queries_log.clear()
    counts: dict[str, int] = defaultdict(int)
    with CaptureQueriesContext(connection) as seen:
        application = applications.start(identity, item=item)
    counts["start"] = len(seen)
    with CaptureQueriesContext(connection) as seen:
        applications.save_answers(application, dict(ANSWERS), contact=setup.contacts[item.pk])
    counts["save_answers"] = len(seen)
    for key in setup.needs[item.pk]:
        with CaptureQueriesContext(connection) as seen:
            applications.attach(application, key, file=locker[key])
        counts[f"attach ×{len(setup.needs[item.pk])}"] += len(seen)
    with CaptureQueriesContext(connection) as seen:
        applications.submit(application, identity, idempotency_key=uuid.uuid4().hex)
    counts["submit"] = len(seen)
    return dict(counts)


def queries_one_call(setup: Setup) -> int:
    """How many SQL statements ``applications.apply`` issues for one application."""
    from django.db import connection

    with CaptureQueriesContext(connection) as seen:
        apply_once(setup, setup.applicants[0], setup.lockers[0], setup.items[0])
    return len(seen)


def profile(setup: Setup, applications_count: int = 30, top: int = 20) -> str:
    """cProfile of sequential applications (one client): where the Python time goes."""
    apply = service_client(setup)(0)
    apply()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(applications_count):
        apply()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


HANDLING_ACTIONS = ("accept", "complete_step", "decide", "conclude")


def _staff(department, post):
    from govhall.regions.models import StaffPost

    user, _ = get_user_model().objects.get_or_create(
        username=f"bench-{post}-{department.pk}", defaults={"display_name": f"基准{post}"}
    )
    StaffPost.objects.get_or_create(user=user, department=department, post=post)
    return user


def _handle(case, costs: dict | None) -> None:
    """Accept, complete every task before the last, decide and conclude one case; with
    ``costs``, add each call's statements or CPU milliseconds to its action's list."""
    import time

    from govhall.cases.services import handling

    def run(action, user, call, **kwargs):
        if costs is None:
            call(case, user, **kwargs)
            return
        with CaptureQueriesContext(connection_of()) as seen:
            started = time.thread_time()
            call(case, user, **kwargs)
            spent = (time.thread_time() - started) * 1000
        costs.setdefault(action, []).append((len(seen), spent))

    from govhall.regions.models import Post

    run("accept", _staff(case.department, Post.CLERK), handling.accept)
    from govhall.cases.services import steps

    for _ in range(10):
        step = handling.current_step(case)
        user = _staff(step.department, step.post)
        if steps.position(case, step)[1]:  # the last task decides
            run("decide", user, handling.decide, decision="approve", opinion="同意")
            break
        run("complete_step", user, handling.complete_step, opinion="同意")
    case.refresh_from_db()
    for post in (Post.APPROVER, Post.CLERK, Post.REVIEWER):
        user = _staff(case.department, post)
        if "conclude" in handling.actions_for(case, user):
            run("conclude", user, handling.conclude)
            return
    raise RuntimeError(f"nobody may conclude {case.number} ({case.state})")


def connection_of():
    from django.db import connection

    return connection


def handling_costs(setup: Setup, cases: int = 12) -> dict[str, tuple[float, float]]:
    """Statements and CPU milliseconds per accept, complete_step, decide and conclude:
    medians over ``cases`` cases of the first item (after one warm case); the statement
    counts include transaction control, and the CPU this process spent in the call
    (the database's own work is not in it)."""
    import statistics

    from govhall.cases.models import Case

    item = setup.items[0]
    identity, locker = setup.applicants[0], setup.lockers[0]
    made = []
    for _ in range(cases + 1):
        apply_once(setup, identity, locker, item)
        made.append(Case.objects.filter(user=identity.user).latest("pk"))
    _handle(made[0], None)
    costs: dict = {}
    for case in made[1:]:
        _handle(case, costs)
    return {
        action: (
            statistics.median(n for n, _ in costs[action]),
            statistics.median(ms for _, ms in costs[action]),
        )
        for action in HANDLING_ACTIONS
        if action in costs
    }
