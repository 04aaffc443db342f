"""Operations endpoints and the behaviour every API path shares (docs/api.md)."""

import re
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client


@pytest.fixture
def api(db):
    return Client()


class TestHealthz:
    def test_ok(self, api):
        response = api.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    def test_head_for_load_balancers(self, api):
        assert api.head("/healthz").status_code == 200

    def test_database_unreachable_is_503_naming_the_database(self, api):
        # Patching a Django internal (the connection's cursor) is the only way to make the
        # test database unreachable for one request without breaking the test run.
        with mock.patch.object(
            connections["default"], "cursor", side_effect=OperationalError("connection refused")
        ):
            response = api.get("/healthz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "error"
        assert body["database"].startswith("error")
        assert "OperationalError" in body["database"]
        # and once the database is back, so is the service
        assert api.get("/healthz").status_code == 200

    def test_post_is_refused(self, api):
        assert api.post("/healthz").status_code == 405


class TestOpenApiSchema:
    def test_schema_is_openapi_3_with_the_public_paths(self, api):
        response = api.get("/api/v1/schema/", {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/identifiers/validate" in schema["paths"]
        assert "/api/v1/calendar/due-date" in schema["paths"]
        assert "post" in schema["paths"]["/api/v1/identifiers/validate"]
        due_date_params = {
            p["name"] for p in schema["paths"]["/api/v1/calendar/due-date"]["get"]["parameters"]
        }
        assert {"start", "working_days"} <= due_date_params

    def test_schema_default_format_is_yaml_openapi(self, api):
        response = api.get("/api/v1/schema/")
        assert response.status_code == 200
        assert response.content.startswith(b"openapi: 3.")


class TestUnknownApiPaths:
    @pytest.mark.parametrize(
        "path", ["/api/v1/nothing-here", "/api/v1/calendar/due-date/extra", "/api/v1/a/b/c/"]
    )
    def test_json_404_in_the_error_shape(self, api, path):
        response = api.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "errors": [
                {"field": "non_field_errors", "code": "not_found", "message": "请求的资源不存在。"}
            ]
        }

    def test_post_to_an_unknown_path_is_also_json(self, api):
        response = api.post("/api/v1/nothing-here", {}, content_type="application/json")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"


class TestRequestId:
    def test_a_well_formed_incoming_id_is_echoed(self, api):
        response = api.get("/healthz", HTTP_X_REQUEST_ID="branch-hall.4407-000123")
        assert response["X-Request-ID"] == "branch-hall.4407-000123"

    @pytest.mark.parametrize(
        "incoming",
        ["short", "has spaces in it", "x" * 65, "semi;colon-000", "中文请求编号一二三四"],
    )
    def test_a_malformed_incoming_id_is_replaced(self, api, incoming):
        response = api.get("/healthz", HTTP_X_REQUEST_ID=incoming)
        assert response["X-Request-ID"] != incoming
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])

    def test_without_an_incoming_id_each_response_gets_a_new_one(self, api):
        first = api.get("/healthz")["X-Request-ID"]
        second = api.get("/healthz")["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", first)
        assert first != second

    def test_error_responses_carry_it_too(self, api):
        response = api.get("/api/v1/nothing-here", HTTP_X_REQUEST_ID="trace-0000-1111")
        assert response.status_code == 404
        assert response["X-Request-ID"] == "trace-0000-1111"
