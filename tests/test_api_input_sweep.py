"""The outside probe's sweep, kept in the suite: every route under /api/v1/ — walked from the
URL resolver, with its parameters from the OpenAPI schema, so a new endpoint is swept the
day it is added — gets NUL in each path and query parameter, deeply nested JSON, and NUL
in every JSON and form field of its body, from a caller who may use it. Never a 5xx;
every error in the one shape; control characters and deep nesting are refused as bad
input (400) naming the field.

``make test-pg`` runs it on PostgreSQL, which refuses NUL where SQLite stores it.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from oauth2_provider.models import get_access_token_model
from rest_framework.parsers import FormParser, MultiPartParser

from govhall.accounts.api.auth import IsStaffMember
from govhall.cases.services import access, applications
from govhall.cases.tests import factories as cf
from govhall.catalog.services import scenarios
from govhall.catalog.tests.factories import one_question_scenario
from govhall.core.api.auth import BearerAuthentication
from govhall.core.api.parsers import JSONParser
from govhall.exchange.services import clients as exchange_clients
from govhall.licences.services import issuing
from govhall.licences.tests import factories as lf
from govhall.regions.models import Post
from govhall.spaces.models import DataRead
from tests.factories import StaffPostFactory, bearer_header

pytestmark = pytest.mark.django_db

API = "/api/v1/"
BODY_METHODS = ("post", "put", "patch")
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
NUL_IN_PATH = "x%00y"
CONTROL = "control_character"
DEEP_BODIES = {
    "deep array": "[" * 100_000,
    "deep object": '{"a":' * 5_000 + "1" + "}" * 5_000,
}
# Refused before the body is read: who may not call, what does not exist, no such method.
BEFORE_THE_BODY = (401, 403, 404, 405)


@dataclass(frozen=True)
class Route:
    route: str  # "items/<str:code>/"
    methods: tuple[str, ...]
    view: type | None

    @property
    def schema_key(self) -> str:
        return API + PARAM.sub("{}", self.route)

    def params(self) -> list[str]:
        return [m["name"] for m in PARAM.finditer(self.route)]

    def path(self, values: dict[str, str]) -> str:
        return API + PARAM.sub(lambda m: str(values[m["name"]]), self.route)


def api_routes() -> list[Route]:
    """Every URL pattern below /api/v1/ with the methods its view answers."""
    (api,) = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and str(p.pattern) == API.lstrip("/")
    ]

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and not str(pattern.pattern).startswith("^"):
                view = getattr(pattern.callback, "cls", None)
                methods = tuple(
                    m for m in ("get", *BODY_METHODS, "delete") if view and hasattr(view, m)
                )
                yield Route(prefix + str(pattern.pattern), methods or ("get",), view)

    return list(walk(api.url_patterns, ""))


def schema_operations() -> tuple[dict[tuple[str, str], dict], dict]:
    """``(path with {} for each parameter, method) → operation`` of the OpenAPI document."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    out = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            out[(re.sub(r"\{\w+\}", "{}", path), method)] = operation
    return out, schema["components"]


def body_fields(operation: dict, components: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        ref = content.get(media, {}).get("schema", {}).get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        properties = components["schemas"].get(name, {}).get("properties", {})
        if properties:
            return sorted(properties)
    return ["value"]


@pytest.fixture
def world(settings, tmp_path):
    """One of everything a route can name, and a caller for each part of the API."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    from django.core.cache import cache

    cache.clear()  # throttles of earlier tests
    dept = cf.department("江门市民政局")
    item = cf.item(dept)
    citizen = cf.applicant(name="陈志明")
    case = cf.submitted(item, citizen)
    draft = applications.start(citizen, item=item)
    cf.fill(draft, citizen)
    material = draft.materials.order_by("pk").first()
    licence = issuing.issue(
        lf.licence_type(issuers=[dept]),
        dept,
        issuing.Holder.of_person(citizen.person),
        data={"household_size": 3},
    )
    scenarios.save_scenario(one_question_scenario(item, "sweep"))
    clerk = cf.staff(Post.CLERK, dept)
    for post, where in ((Post.APPROVER, dept), (Post.SUPERVISOR, cf.department("江门市监察局"))):
        StaffPostFactory(user=clerk, post=post, department=where)
    exchange_client, _ = exchange_clients.register(
        "蓬江区网上办事分厅", "sweep-hall", "branch_hall", ["440703"], rate_per_minute=6000
    )
    exchange_token = get_access_token_model().objects.create(
        application=exchange_client.application,
        token="sweep-exchange-token",
        scope="exchange",
        expires=timezone.now() + datetime.timedelta(hours=1),
    )
    from govhall.sharing.services import clients as sharing_clients

    sharing_token = get_access_token_model().objects.create(
        application=sharing_clients.register(dept).application,
        token="sweep-sharing-token",
        scope="sharing",
        expires=timezone.now() + datetime.timedelta(hours=1),
    )
    access.record_read(clerk, case, purpose="输入检查")  # a read of the citizen's data
    data_read = DataRead.objects.get(case_number=case.number)
    from govhall.assistant.models import Conversation
    from govhall.assistant.services import consultation

    talk = Conversation.objects.create(region_id="440700", item=item)
    handed = consultation.hand_over(conversation=str(talk.public_id), question="低保怎么申请")
    admin = get_user_model().objects.create_superuser("sweep-admin", password="x")
    catalogue = Client()
    catalogue.force_login(admin)
    values = {
        "regions": {"code": "440700"},
        "departments": {"code": dept.credit_code},
        "items": {"code": item.implementation_code, "number": 1},
        "licence-types": {"code": lf.TYPE_CODE},
        "scenarios": {"code": "sweep"},
        "calendar": {"year": 2026},
        "applications": {"public_id": draft.public_id, "key": material.key},
        "cases": {"number": case.number},
        "my": {
            "number": case.number,
            "identifier": licence.current.identifier,
            "read_id": data_read.pk,
        },
        "staff": {"number": case.number, "identifier": licence.current.identifier},
        "monitoring": {"code": "440700"},
        "exchange": {"name": "process-record-1.0.json"},
        "assistant": {"public_id": handed.consultation.public_id},
        "supervision": {"pk": 1},  # the body is read before the warning is looked up
        "baselib": {"pk": 1},  # the body is read before the conflict is looked up
        "catalog": {
            "code": item.implementation_code,
            "pk": item.current_id,
            "action": "submit",
        },
    }
    as_citizen, as_staff = bearer_header(citizen.user), bearer_header(clerk, "openid staff")
    callers = {
        "applications": as_citizen,
        "my": as_citizen,
        "me": as_citizen,
        "staff": as_staff,
        "monitoring": as_staff,
        "licences/indicators": as_staff,
        "supervision": as_staff,
        "ratings": as_citizen,
        "exchange": {"HTTP_AUTHORIZATION": f"Bearer {exchange_token.token}"},
        "sharing": {"HTTP_AUTHORIZATION": f"Bearer {sharing_token.token}"},
        # the citizen's consultation token, and a consultant of its department
        "assistant/consultations/": {**as_staff, "HTTP_X_CONSULTATION_TOKEN": handed.token},
        "assistant/queue": as_staff,
        "baselib": as_staff,
        "payments": as_staff,  # reconciliations: a supervisor
    }
    return values, callers, catalogue


def parses_forms(view) -> bool:
    return any(issubclass(p, FormParser | MultiPartParser) for p in view.parser_classes)


def parses_json(view) -> bool:
    return any("json" in p.media_type for p in view.parser_classes)


def request(client: Client, headers: dict, method: str, path: str, body=None, form=False):
    if body is None:
        return getattr(client, method)(path, **headers)
    if form:  # multipart for PUT and PATCH too (the test client sends those raw)
        data = encode_multipart(BOUNDARY, body)
        return client.generic(method.upper(), path, data, MULTIPART_CONTENT, **headers)
    return client.generic(method.upper(), path, body, "application/json", **headers)


def shape_problems(response) -> list[str]:
    """What is wrong with an answer: a 5xx, or an error outside the one JSON shape."""
    if response.status_code >= 500:
        return [f"{response.status_code}"]
    if response.status_code < 400:
        return []
    if not response.get("Content-Type", "").startswith("application/json"):
        return [f"{response.status_code} {response.get('Content-Type')}"]
    errors = response.json().get("errors")
    if not errors or not all(
        set(e) == {"field", "code", "message"} and all(isinstance(v, str) for v in e.values())
        for e in errors
    ):
        return [f"{response.status_code} not the error shape: {response.content[:200]!r}"]
    return []


def refused_as(response, code: str, field: str | None = None) -> bool:
    if response.status_code != 400:
        return False
    errors = response.json()["errors"]
    return any(e["code"] == code and (field is None or e["field"] == field) for e in errors)


def test_every_api_route_refuses_nul_and_deep_json_as_bad_input(world):
    values, callers, catalogue = world
    operations, components = schema_operations()
    failures: list[str] = []
    reached_parser, body_operations = set(), set()

    def check(label: str, response, code: str | None = None, field: str | None = None):
        problems = shape_problems(response)
        if code and not problems and not refused_as(response, code, field):
            problems = [f"{response.status_code} {response.content[:200]!r}, not {code}"]
        failures.extend(f"{label}: {p}" for p in problems)

    routes = api_routes()
    assert len(routes) > 60, "the resolver walk found the API"
    for route in routes:
        area = route.route.split("/", 1)[0]
        sample = {**values.get(area, {})}
        caller = next((h for prefix, h in callers.items() if route.route.startswith(prefix)), {})
        client = catalogue if area == "catalog" else Client()
        good = {name: sample.get(name, "x") for name in route.params()}
        for method in route.methods:
            operation = operations.get((route.schema_key, method), {})
            label = f"{method.upper()} {route.route}"
            path = route.path(good)
            for name in route.params():
                bad = route.path({**good, name: NUL_IN_PATH})
                check(
                    f"{label} [{name}=NUL]",
                    request(client, caller, method, bad),
                    CONTROL,
                )
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for name in query:
                bad = f"{path}?{name}={NUL_IN_PATH}"
                check(
                    f"{label} [?{name}=NUL]",
                    request(client, caller, method, bad),
                    CONTROL,
                    name,
                )
            if method == "get":  # (a clean DELETE would discard what later routes use)
                check(label, request(client, caller, method, path))
            if method not in BODY_METHODS:
                continue
            fields = body_fields(operation, components)
            nul = {name: "x\u0000y" for name in fields}
            if route.view is not None and parses_forms(route.view):
                # the input check refuses it before the view, whoever calls
                response = request(client, caller, method, path, nul, form=True)
                check(f"{label} [form NUL]", response, CONTROL, fields[0])
            if route.view is None or not parses_json(route.view):
                continue
            body_operations.add(label)
            bodies = {**DEEP_BODIES, "NUL": json.dumps(nul)}
            for kind, body in bodies.items():
                response = request(client, caller, method, path, body)
                if response.status_code in BEFORE_THE_BODY:
                    check(f"{label} [{kind}]", response)
                    continue
                reached_parser.add(label)
                if kind == "NUL":
                    check(f"{label} [JSON NUL]", response, CONTROL, fields[0])
                else:
                    check(f"{label} [{kind}]", response, "too_deep")
    assert not failures, "\n".join(failures)
    # The callers and objects above let every body reach the parser; a route that starts
    # refusing them earlier (401/403/404) would no longer be swept where it matters.
    assert reached_parser == body_operations, sorted(body_operations - reached_parser)


def test_every_json_body_is_parsed_by_the_bounded_parser():
    """No view lists DRF's own JSON parser (which recurses without bound and passes NUL)."""
    for route in api_routes():
        if route.view is None:
            continue
        json_parsers = [p for p in route.view.parser_classes if "json" in p.media_type]
        assert all(issubclass(p, JSONParser) for p in json_parsers), route.route


def test_every_endpoint_that_takes_a_bearer_token_documents_it():
    by_key, components = schema_operations()
    assert "oidcBearer" in components["securitySchemes"]
    documented = 0
    for route in api_routes():
        view = route.view
        if view is None or BearerAuthentication not in view.authentication_classes:
            continue
        staff = any(issubclass(p, IsStaffMember) for p in view.permission_classes)
        for method in route.methods:
            operation = by_key.get((route.schema_key, method))
            if operation is None:
                continue
            requirements = {k: v for r in operation.get("security", []) for k, v in r.items()}
            assert "oidcBearer" in requirements, (method, route.route)
            assert requirements["oidcBearer"] == (["staff"] if staff else []), route.route
            documented += 1
    assert documented > 40
