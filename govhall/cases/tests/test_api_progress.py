"""The public progress query (docs/api.md): a number and the applicant's ID, nothing else."""

import pytest
from django.test import Client

from govhall.regions.models import Post

from ..api.throttles import ProgressThrottle
from ..services import handling
from . import factories as f

pytestmark = pytest.mark.django_db


def progress(client, number, applicant_id=None):
    params = {} if applicant_id is None else {"applicant_id": applicant_id}
    return client.get(f"/api/v1/cases/{number}/progress", params)


def test_matching_pair_shows_status_steps_and_due_date():
    dept = f.department("江门市民政局")
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.accept(case, f.staff(Post.CLERK, dept), opinion="材料齐全")
    response = progress(Client(), case.number, identity.person.id_number)
    assert response.status_code == 200, response.content
    body = response.json()
    case.refresh_from_db()
    assert body["case_number"] == case.number
    assert body["status"] == "in_progress" and body["status_label"] == "办理中"
    assert body["current_step"] == "承办"
    assert [s["name"] for s in body["steps_done"]] == ["受理"]
    assert body["steps_done"][0]["completed_at"] and body["steps_done"][0]["action"] == "pass"
    assert body["due_date"] == case.promised_due.isoformat()
    assert isinstance(body["remaining_working_days"], int)
    assert body["department"] == "江门市民政局" and body["item_name"] == case.item_name
    assert body["decision"] is None and body["concluded_at"] is None
    # the ID number is never echoed back
    assert identity.person.id_number not in response.content.decode()


def test_lower_case_x_and_spaces_in_the_id_number_still_match():
    identity = f.applicant()
    case = f.submitted(f.item(), identity)
    typed = f" {identity.person.id_number.lower()} "
    assert progress(Client(), case.number, typed).status_code == 200


def test_someone_elses_id_number_is_404_not_403():
    case = f.submitted(f.item())
    other = f.applicant()
    response = progress(Client(), case.number, other.person.id_number)
    assert response.status_code == 404
    (error,) = response.json()["errors"]
    assert error["code"] == "not_found" and "不匹配" in error["message"]


def test_unknown_number_is_the_same_404():
    identity = f.applicant()
    case = f.submitted(f.item(), identity)
    wrong = case.number[:-1] + ("0" if case.number[-1] != "0" else "1")
    unknown = progress(Client(), wrong, identity.person.id_number)
    mismatch = progress(Client(), case.number, f.applicant().person.id_number)
    assert unknown.status_code == mismatch.status_code == 404
    assert unknown.json() == mismatch.json()


def test_malformed_applicant_id_is_404_and_missing_one_is_400_naming_the_field():
    case = f.submitted(f.item())
    assert progress(Client(), case.number, "not-an-id").status_code == 404
    response = progress(Client(), case.number)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "applicant_id" and error["code"] == "required"
    assert "身份证号码" in error["message"]


def test_company_case_matches_its_credit_code():
    agent = f.company_agent()
    case = f.submitted(f.item(audiences=["1", "2"], name="企业低保测试事项"), agent)
    response = progress(Client(), case.number, agent.company.credit_code.lower())
    assert response.status_code == 200, response.content
    assert response.json()["case_number"] == case.number
    # the representative's own ID number is not the applicant of a company case
    assert progress(Client(), case.number, agent.person.id_number).status_code == 404


def test_guessing_is_throttled_with_429(monkeypatch):
    monkeypatch.setattr(ProgressThrottle, "rate", "3/minute")
    case = f.submitted(f.item())
    client = Client()
    codes = [progress(client, case.number, "110101199003074258").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    error = progress(client, case.number, "x").json()["errors"][0]
    assert error["code"] == "throttled" and "秒后再试" in error["message"]
