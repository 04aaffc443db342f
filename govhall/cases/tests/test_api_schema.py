"""The case API in the OpenAPI document, which must build without a single warning."""

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

CASE_PATHS = {
    "/api/v1/cases/{number}/progress": "get",
    "/api/v1/applications/": "post",
    "/api/v1/applications/{public_id}/": "patch",
    "/api/v1/applications/{public_id}/materials/": "post",
    "/api/v1/applications/{public_id}/materials/{key}/": "delete",
    "/api/v1/applications/{public_id}/submit": "post",
    "/api/v1/my/cases/": "get",
    "/api/v1/my/cases/{number}/": "get",
    "/api/v1/my/cases/{number}/correction": "post",
    "/api/v1/my/cases/{number}/withdraw": "post",
    "/api/v1/my/cases/{number}/rating": "post",
    "/api/v1/my/cases/{number}/review-request": "post",
    "/api/v1/my/notifications/": "get",
    "/api/v1/staff/inbox/": "get",
    "/api/v1/staff/cases/": "get",
    "/api/v1/staff/cases/{number}/": "get",
    "/api/v1/staff/cases/{number}/actions/decide": "post",
    "/api/v1/staff/cases/{number}/actions/request-correction": "post",
}


def test_every_case_endpoint_is_in_the_schema_with_its_bodies():
    schema = Client().get("/api/v1/schema/", {"format": "json"}).json()
    for path, method in CASE_PATHS.items():
        assert method in schema["paths"].get(path, {}), path
    submit = schema["paths"]["/api/v1/applications/{public_id}/submit"]["post"]
    assert {"200", "201", "400", "404"} <= set(submit["responses"])
    assert "Idempotency-Key" in {p["name"] for p in submit["parameters"]}
    decide = schema["paths"]["/api/v1/staff/cases/{number}/actions/decide"]["post"]
    assert "409" in decide["responses"]
    body = decide["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]) == {
        "decision",
        "reason",
        "opinion",
    }
    upload = schema["paths"]["/api/v1/applications/{public_id}/materials/"]["post"]
    assert {"multipart/form-data", "application/json"} <= set(upload["requestBody"]["content"])
    progress = schema["paths"]["/api/v1/cases/{number}/progress"]["get"]
    assert "applicant_id" in {p["name"] for p in progress["parameters"]}


def test_the_schema_builds_and_validates_without_warnings(tmp_path):
    # --fail-on-warn raises on any warning (an enum collision, an unresolvable path...).
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")
