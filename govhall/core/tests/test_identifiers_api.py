"""``POST /api/v1/identifiers/validate`` (docs/api.md, "Utilities")."""

import datetime

import pytest
from django.test import Client

from govhall.core.identifiers import make_credit_code, make_id_number

URL = "/api/v1/identifiers/validate"
VALID_ID = make_id_number("440703", datetime.date(1990, 1, 1), 514)


@pytest.fixture
def api(db):
    return Client()


def post(api, body, content_type="application/json"):
    return api.post(URL, body, content_type=content_type)


def assert_error_shape(response, status=400):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"], "at least one error"
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message"}
        assert item["message"]
    return body["errors"]


class TestValidBodies:
    def test_valid_id_number(self, api):
        response = post(api, {"kind": "id_number", "value": VALID_ID})
        assert response.status_code == 200
        assert response.json() == {
            "valid": True,
            "normalized": VALID_ID,
            "errors": [],
            "masked": VALID_ID[:4] + "*" * 10 + VALID_ID[-4:],
        }

    def test_first_generation_number_comes_back_upgraded(self, api):
        response = post(api, {"kind": "id_number", "value": "440703 900101 514"})
        assert response.status_code == 200
        assert response.json()["normalized"] == VALID_ID[:17] + "1"
        assert response.json()["valid"] is True

    def test_credit_code_with_letters_in_positions_one_and_two(self, api):
        code = make_credit_code("N2", "440703", "12345678")
        response = post(api, {"kind": "credit_code", "value": code.lower()})
        assert response.status_code == 200
        assert response.json() == {"valid": True, "normalized": code, "errors": []}

    def test_invalid_number_is_a_200_with_the_reasons(self, api):
        """An invalid number is a valid request: the answer says why the number is wrong."""
        wrong = VALID_ID[:17] + ("1" if VALID_ID[-1] != "1" else "2")
        response = post(api, {"kind": "id_number", "value": wrong})
        assert response.status_code == 200
        body = response.json()
        assert body["valid"] is False
        assert body["normalized"] == wrong
        assert "masked" not in body  # an invalid number is not echoed in masked form
        assert body["errors"] == [
            {
                "field": "value",
                "code": "checksum",
                "message": "身份证号码有一位不对：最后一位与前17位对不上，请对照身份证逐位核对。",
            }
        ]

    def test_forbidden_letter_in_credit_code(self, api):
        response = post(api, {"kind": "credit_code", "value": "91440300708461136O"})
        body = response.json()
        assert response.status_code == 200
        assert body["valid"] is False
        assert [e["code"] for e in body["errors"]] == ["alphabet"]

    def test_form_encoded_body_is_accepted_too(self, api):
        response = post(
            api, f"kind=id_number&value={VALID_ID}", "application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert response.json()["valid"] is True


class TestBadRequests:
    def test_missing_fields_name_each_field(self, api):
        errors = assert_error_shape(post(api, {}))
        assert {(e["field"], e["code"]) for e in errors} == {
            ("kind", "required"),
            ("value", "required"),
        }
        assert all("必须提供" in e["message"] for e in errors)

    def test_missing_value(self, api):
        errors = assert_error_shape(post(api, {"kind": "id_number"}))
        assert errors == [
            {"field": "value", "code": "required", "message": "必须提供value（待校验的号码）。"}
        ]

    def test_wrong_kind(self, api):
        errors = assert_error_shape(post(api, {"kind": "passport", "value": "E1234567"}))
        assert [(e["field"], e["code"]) for e in errors] == [("kind", "invalid_choice")]
        assert "id_number" in errors[0]["message"]
        assert "credit_code" in errors[0]["message"]

    def test_null_value(self, api):
        errors = assert_error_shape(post(api, {"kind": "id_number", "value": None}))
        assert [(e["field"], e["code"]) for e in errors] == [("value", "null")]

    def test_overlong_value(self, api):
        errors = assert_error_shape(post(api, {"kind": "id_number", "value": "1" * 65}))
        assert [(e["field"], e["code"]) for e in errors] == [("value", "max_length")]

    @pytest.mark.parametrize("body", ["not json", '{"kind": "id_number", ', "\x00\x01"])
    def test_non_json_body_is_a_400_not_a_500(self, api, body):
        errors = assert_error_shape(post(api, body))
        assert [(e["field"], e["code"]) for e in errors] == [("non_field_errors", "parse_error")]
        assert errors[0]["message"] == "请求体不是有效的JSON。"

    def test_json_that_is_not_an_object(self, api):
        errors = assert_error_shape(post(api, '["id_number", "x"]'))
        assert errors[0]["field"] == "non_field_errors"
        assert errors[0]["code"] == "invalid"

    def test_unsupported_content_type(self, api):
        errors = assert_error_shape(post(api, "<kind/>", "text/xml"), status=415)
        assert errors[0]["code"] == "unsupported_media_type"

    def test_get_is_not_allowed(self, api):
        errors = assert_error_shape(api.get(URL), status=405)
        assert errors[0]["code"] == "method_not_allowed"
