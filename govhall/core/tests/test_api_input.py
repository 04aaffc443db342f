"""The input layer: control characters, deep JSON and bodies Django will not read are bad
input (400, the one error shape under /api/, a Chinese page elsewhere) — never a 500.

Run on PostgreSQL too (``make test-pg``): it refuses NUL in text where SQLite stores it.
"""

import json

import pytest
from django.test import Client

from govhall.cases.tests import factories as cf
from govhall.regions.models import Post
from tests.factories import bearer_header

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def api():
    return Client()


def only_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    (error,) = response.json()["errors"]
    assert set(error) == {"field", "code", "message"}
    return error


def draft_url(api) -> str:
    """A new applicant, signed in on ``api``, with a draft: the draft's API address."""
    api.force_login(cf.applicant().user)
    draft = api.post(
        "/api/v1/applications/", {"item": cf.item().implementation_code}, content_type=JSON
    ).json()
    return f"/api/v1/applications/{draft['public_id']}/"


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("path", "field"),
        [
            ("/api/v1/regions/%00/", "code"),
            ("/api/v1/departments/%00/", "code"),
            ("/api/v1/items/%00/", "code"),
            ("/api/v1/items/%00/versions/", "code"),
            ("/api/v1/licence-types/%00/", "code"),
            ("/api/v1/cases/1%002/progress", "number"),
            ("/api/v1/applications/%0A/", "path"),
            ("/api/v1/no-such-thing/%00", "path"),
        ],
    )
    def test_in_a_path_the_parameter_is_named(self, api, path, field):
        error = only_error(api.get(path))
        assert (error["field"], error["code"]) == (field, "control_character")
        assert "控制字符" in error["message"]

    @pytest.mark.parametrize("name", ["q", "region", "department", "theme"])
    def test_in_a_query_parameter(self, api, name):
        error = only_error(api.get("/api/v1/items/", {name: "44\x0007"}))
        assert (error["field"], error["code"]) == (name, "control_character")

    def test_tab_and_newline_stay_allowed_in_free_text(self, api):
        assert api.get("/api/v1/items/", {"q": "营业\t执照\n"}).status_code == 200

    def test_in_a_json_body_the_path_of_the_value_is_named(self, api):
        url = draft_url(api)
        response = api.patch(url, {"answers": {"spouse_name": "x\u0000y"}}, content_type=JSON)
        error = only_error(response)
        assert (error["field"], error["code"]) == ("answers.spouse_name", "control_character")
        # a lone surrogate cannot even be stored as UTF-8
        lone = api.patch(url, '{"contact_name": "\\ud800"}', content_type=JSON)
        assert only_error(lone)["field"] == "contact_name"
        assert api.get(url).json()["answers"].get("spouse_name") is None  # nothing kept

    def test_in_a_form_body(self, api):
        response = api.post("/api/v1/licences/verify", {"identifier": "1.2\x00"})
        error = only_error(response)
        assert (error["field"], error["code"]) == ("identifier", "control_character")

    def test_in_a_patch_form_body(self, api):
        url = draft_url(api)
        body = "contact_name=a%00b"
        response = api.patch(url, body, content_type="application/x-www-form-urlencoded")
        assert only_error(response)["field"] == "contact_name"
        ok = api.patch(
            url, "contact_name=%E9%99%88", content_type="application/x-www-form-urlencoded"
        )
        assert ok.status_code == 200 and ok.json()["contact_name"] == "陈"

    def test_in_my_cases_and_my_licences(self, api):
        identity = cf.applicant()
        api.force_login(identity.user)
        for path in (
            "/api/v1/my/cases/44%00/",
            "/api/v1/my/licences/1.2%00/",
            "/api/v1/my/licences/1.2%00/pdf",
            "/api/v1/my/licences/1.2%00/uses",
        ):
            assert only_error(api.get(path))["code"] == "control_character", path

    def test_web_pages_answer_a_chinese_400_page(self, client):
        for response in (
            client.get("/halls/%00/"),
            client.get("/search/", {"q": "营业\x00执照"}),
            client.post("/account/login/", {"username": "a\x00", "password": "x"}),
        ):
            assert response.status_code == 400
            assert response["Content-Type"].startswith("text/html")
            assert "请求无效" in response.content.decode()
            assert "控制字符" in response.content.decode()

    def test_a_cookie_with_a_control_character(self, client):
        client.cookies["sessionid"] = "abc\x00def"
        assert client.get("/").status_code == 400
        assert only_error(client.get("/api/v1/themes/"))["field"] == "cookie"


class TestDeepJson:
    @pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 5_000 + "1" + "}" * 5_000])
    def test_refused_before_parsing(self, api, body):
        response = api.post("/api/v1/identifiers/validate", body, content_type=JSON)
        error = only_error(response)
        assert error["code"] == "too_deep" and "64" in error["message"]

    def test_sixty_four_levels_are_parsed(self, api):
        body = json.dumps({"kind": "id_number", "value": "x", "extra": [[[[[[[[1]]]]]]]]})
        assert api.post("/api/v1/identifiers/validate", body, content_type=JSON).status_code == 200
        nested = "[" * 64 + "]" * 64
        response = api.post("/api/v1/identifiers/validate", nested, content_type=JSON)
        assert only_error(response)["code"] != "too_deep"  # parsed; not an object of kind/value

    def test_brackets_inside_strings_do_not_count(self, api):
        body = json.dumps({"kind": "id_number", "value": "x", "note": '[\\"{' * 1000})
        assert api.post("/api/v1/identifiers/validate", body, content_type=JSON).status_code == 200

    def test_on_an_authenticated_endpoint(self, api):
        api.force_login(cf.applicant().user)
        response = api.post("/api/v1/applications/apply", "[" * 100_000, content_type=JSON)
        assert only_error(response)["code"] == "too_deep"


class TestUnreadableBodies:
    def test_too_many_form_fields(self, api, settings):
        fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
        error = only_error(api.post("/api/v1/identifiers/validate", fields))
        assert error["code"] == "too_many_fields"
        assert str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in error["message"]

    def test_too_many_query_parameters(self, api, settings):
        query = "&".join(f"f{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
        assert only_error(api.get("/api/v1/themes/?" + query))["code"] == "too_many_fields"

    def test_too_many_multipart_fields(self, api, settings):
        fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
        api.force_login(cf.applicant().user)
        response = api.post("/api/v1/my/cases/1/correction", fields)  # multipart by default
        assert only_error(response)["code"] == "too_many_fields"

    def test_a_body_too_large(self, api, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = json.dumps({"kind": "id_number", "value": "4" * 2000})
        error = only_error(api.post("/api/v1/identifiers/validate", body, content_type=JSON))
        assert error["code"] == "too_large"

    def test_not_json(self, api):
        response = api.post("/api/v1/identifiers/validate", "{nope", content_type=JSON)
        assert only_error(response)["code"] == "parse_error"

    def test_a_web_form_with_too_many_fields_is_a_400_page(self, client, settings):
        fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
        response = client.post("/account/login/", fields)
        assert response.status_code == 400 and "请求无效" in response.content.decode()


class TestErrorsAreJson:
    def test_unknown_paths(self, api):
        for path in ("/api/v1/nothing-here", "/api/v1/applications/%0A", "/api/v2/"):
            response = api.get(path)
            assert response.status_code in (400, 404) and response.json()["errors"], path

    def test_a_post_to_an_unknown_path_is_not_a_csrf_page(self, api):
        csrf = Client(enforce_csrf_checks=True)
        assert only_error(csrf.post("/api/v1/nothing-here", {"a": "b"}), 404)["code"] == (
            "not_found"
        )

    def test_a_server_error_under_the_api(self, rf):
        from govhall.urls import handler500

        response = handler500(rf.get("/api/v1/themes/"))
        assert response.status_code == 500
        assert json.loads(response.content)["errors"][0]["code"] == "server_error"
        page = handler500(rf.get("/"))
        assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


class TestBearerTokensFromTheHeaderOnly:
    def test_a_token_in_the_query_or_the_form_body_is_not_accepted(self, api):
        identity = cf.applicant()
        item = cf.item()
        token = bearer_header(identity.user)["HTTP_AUTHORIZATION"].split()[1]
        in_query = api.post(
            f"/api/v1/applications/?access_token={token}",
            {"item": item.implementation_code},
            content_type=JSON,
        )
        assert only_error(in_query, 401)["code"] == "not_authenticated"
        in_form = api.post(
            "/api/v1/applications/", {"item": item.implementation_code, "access_token": token}
        )
        assert only_error(in_form, 401)["code"] == "not_authenticated"
        assert api.get(f"/api/v1/me?access_token={token}").status_code == 401
        in_header = api.post(
            "/api/v1/applications/",
            {"item": item.implementation_code},
            content_type=JSON,
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert in_header.status_code == 201

    def test_a_token_with_control_characters_is_not_looked_up(self, api):
        response = api.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer abc\x00def")
        assert only_error(response, 401)["code"] == "not_authenticated"


class TestStaffOnlyMessages:
    @pytest.mark.parametrize(
        ("path", "name"),
        [
            ("/api/v1/monitoring/regions/445100/indicators?month=2017-06", "数据监测"),
            ("/api/v1/staff/inbox/", "办件办理"),
            ("/api/v1/staff/licences/", "电子证照管理"),
            ("/api/v1/licences/indicators/electronic-rate", "证照电子化率统计"),
        ],
    )
    def test_a_citizen_token_is_told_which_interface(self, api, path, name):
        headers = bearer_header(cf.applicant().user)
        error = only_error(api.get(path, **headers), 403)
        assert error["code"] == "staff_only"
        assert error["message"] == f"只有工作人员可以使用{name}接口（令牌须含staff授权范围）。"

    def test_a_staff_token_without_the_staff_scope(self, api):
        user = cf.staff(Post.SUPERVISOR, cf.department("江门市监察局"))
        error = only_error(api.get("/api/v1/staff/inbox/", **bearer_header(user)), 403)
        assert "办件办理" in error["message"]
        allowed = api.get("/api/v1/staff/inbox/", **bearer_header(user, "openid staff"))
        assert allowed.status_code == 200


class TestJsonPastedIntoWebForms:
    """JSON typed into a page is read with ``inputs.loads``: bounded, no control characters."""

    def test_a_scenario_document(self, client):
        from django.urls import reverse

        from govhall.catalog.services import scenarios
        from govhall.catalog.tests.factories import (
            one_question_scenario,
            published_item,
            reviewer,
        )

        item = published_item()
        tree = one_question_scenario(item, "nul-scenario")
        scenarios.save_scenario(tree)
        client.force_login(reviewer())
        url = reverse("catalog:desk-scenario-edit", args=["nul-scenario"])
        bad = json.dumps({**tree, "name": "情\u0000形"})  # the escape, as a person could paste it
        response = client.post(url, {"document": bad})
        assert response.status_code == 400
        assert "“name”含有不允许的控制字符" in response.content.decode()
        deep = client.post(url, {"document": "[" * 10_000})
        assert deep.status_code == 400 and "嵌套超过64层" in deep.content.decode()
        assert (
            scenarios.scenario_document(scenarios.Scenario.objects.get(code="nul-scenario"))["name"]
            == "情形"
        )
