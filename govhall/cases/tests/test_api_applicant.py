"""The applicant's side of the API: apply, fill in, upload, submit (idempotently), follow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from govhall.accounts.tests.factories import AgentGrantFactory, PersonFactory
from govhall.regions.models import Post
from tests.factories import bearer_header

from ..models import Case, CaseState
from ..services import applications, handling
from . import factories as f
from .factories import signed_in

pytestmark = pytest.mark.django_db
JSON = "application/json"


def start(client, item) -> dict:
    response = client.post(
        "/api/v1/applications/", {"item": item.implementation_code}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_apply_to_submit_through_the_api():
    identity = f.applicant()
    client = signed_in(identity)
    item = f.item()
    draft = start(client, item)
    url = f"/api/v1/applications/{draft['public_id']}/"
    assert draft["state"] == "draft" and draft["item"]["code"] == item.implementation_code
    needs = {n["name"]: n for n in draft["materials_needed"]}
    assert needs["居民户口簿"]["fetched_by_hall"] and not needs["申请书"]["supplied"]
    assert {p["field"] for p in draft["problems"]} >= {"answers.household_size"}

    # a malformed answer: 400 naming the field, in Chinese
    bad = client.patch(url, {"answers": {"household_size": "三口人"}}, content_type=JSON)
    assert bad.status_code == 400
    (error,) = bad.json()["errors"]
    assert error["field"] == "answers.household_size" and error["code"] == "invalid"
    assert error["message"] == "“家庭人口”须为数字。"
    bad_delivery = client.patch(url, {"delivery": "drone"}, content_type=JSON)
    assert bad_delivery.status_code == 400
    assert bad_delivery.json()["errors"][0]["field"] == "delivery"
    assert "送达方式" in bad_delivery.json()["errors"][0]["message"]

    bad_optional = client.patch(url, {"answers": {"_optional_items": 5}}, content_type=JSON)
    assert bad_optional.status_code == 400
    assert bad_optional.json()["errors"][0]["field"] == "answers"

    # PATCH keeps the answers it was not sent
    client.patch(url, {"answers": {"household_size": 3}}, content_type=JSON)
    saved = client.patch(
        url,
        {"answers": {"married": False}, "contact_phone": "13800138000", "delivery": "electronic"},
        content_type=JSON,
    ).json()
    assert saved["answers"] == {"household_size": 3, "married": False}
    assert saved["contact_phone"] == "13800138000"

    # submitting too early: every missing material named
    early = client.post(f"{url}submit", HTTP_IDEMPOTENCY_KEY="early-try-1")
    assert early.status_code == 400
    fields = {e["field"]: e["message"] for e in early.json()["errors"]}
    assert fields["materials.N:申请书"] == "请提供“申请书”。"
    assert "materials.N:居民户口簿" not in fields  # the hall fetches it

    # one material uploaded, one from the locker, and a wrong file type refused
    wrong = client.post(
        f"{url}materials/",
        {"key": "N:申请书", "file": SimpleUploadedFile("a.txt", b"hello", "text/plain")},
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "file"
    assert "PDF" in wrong.json()["errors"][0]["message"]
    uploaded = client.post(f"{url}materials/", {"key": "N:申请书", "file": f.pdf("申请书")})
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["file"]["content_type"] == "application/pdf"
    stored = applications.store_file(identity.user, f.pdf("合同"), title="房屋租赁合同")
    from_locker = client.post(
        f"{url}materials/",
        {"key": "N:房屋租赁合同", "locker_file": str(stored.public_id)},
        content_type=JSON,
    )
    assert from_locker.status_code == 201, from_locker.content
    assert client.get(url).json()["problems"] == []

    # submit twice with the same key: one case, 201 then 200 with the same body
    first = client.post(f"{url}submit", HTTP_IDEMPOTENCY_KEY="submit-7f3a")
    assert first.status_code == 201, first.content
    again = client.post(f"{url}submit", HTTP_IDEMPOTENCY_KEY="submit-7f3a")
    assert again.status_code == 200
    assert again.json()["cases"] == first.json()["cases"]
    (case,) = first.json()["cases"]
    assert Case.objects.filter(application__public_id=draft["public_id"]).count() == 1
    assert case["state"] == "submitted" and case["department"] == "江门市民政局"

    # the draft is now read-only; the case is in "my cases" and a message came
    late = client.patch(url, {"answers": {"household_size": 4}}, content_type=JSON)
    assert late.status_code == 409 and late.json()["errors"][0]["code"] == "not_draft"
    mine = client.get("/api/v1/my/cases/").json()
    assert mine["count"] == 1 and mine["results"][0]["number"] == case["number"]
    assert set(mine) == {"count", "next", "previous", "results"}
    detail = client.get(f"/api/v1/my/cases/{case['number']}/").json()
    assert detail["allowed_actions"] == ["withdraw"] and detail["current_step"] == "受理"
    notes = client.get("/api/v1/my/notifications/").json()
    assert notes["results"][0]["title"] == "申请已提交"
    assert notes["results"][0]["case_number"] == case["number"]


def test_the_same_idempotency_key_on_a_second_draft_is_a_conflict_not_a_replay():
    identity = f.applicant()
    client = signed_in(identity)
    item = f.item()
    first_draft = applications.start(identity, item=item)
    f.fill(first_draft, identity)
    second_draft = applications.start(identity, item=item)
    f.fill(second_draft, identity)
    one = client.post(
        f"/api/v1/applications/{first_draft.public_id}/submit", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    two = client.post(
        f"/api/v1/applications/{second_draft.public_id}/submit", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert (one.status_code, two.status_code) == (201, 409)
    error = two.json()["errors"][0]
    assert (error["field"], error["code"]) == ("Idempotency-Key", "idempotency_conflict")
    assert "k-1" in error["message"] and str(first_draft.public_id) in error["message"]
    assert Case.objects.filter(user=identity.user).count() == 1
    retry = client.post(
        f"/api/v1/applications/{first_draft.public_id}/submit", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert retry.status_code == 200 and retry.json()["cases"] == one.json()["cases"]
    bad_key = client.post(
        f"/api/v1/applications/{second_draft.public_id}/submit", HTTP_IDEMPOTENCY_KEY="键"
    )
    assert bad_key.status_code == 400
    assert bad_key.json()["errors"][0]["field"] == "Idempotency-Key"


def test_start_names_the_problem_in_chinese():
    client = signed_in(f.applicant())
    neither = client.post("/api/v1/applications/", {}, content_type=JSON)
    assert neither.status_code == 400 and neither.json()["errors"][0]["field"] == "item"
    unknown = client.post("/api/v1/applications/", {"item": "NOPE"}, content_type=JSON)
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["message"] == "事项实施编码“NOPE”不存在。"
    low = signed_in(f.applicant(level=1))
    refused = low.post(
        "/api/v1/applications/", {"item": f.item().implementation_code}, content_type=JSON
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "realname_level"
    assert "实名等级" in refused.json()["errors"][0]["message"]
    assert Client().post("/api/v1/applications/", {}, content_type=JSON).status_code == 401


def test_another_applicants_case_and_draft_are_not_found():
    owner = f.applicant()
    case = f.submitted(f.item(), owner)
    draft = applications.start(owner, item=case.item)
    stranger = signed_in(f.applicant())
    for response in (
        stranger.get(f"/api/v1/my/cases/{case.number}/"),
        stranger.post(
            f"/api/v1/my/cases/{case.number}/withdraw", {"reason": "x"}, content_type=JSON
        ),
        stranger.post(f"/api/v1/my/cases/{case.number}/rating", {"level": 1}, content_type=JSON),
        stranger.get(f"/api/v1/applications/{draft.public_id}/"),
        stranger.patch(f"/api/v1/applications/{draft.public_id}/", {}, content_type=JSON),
        stranger.post(f"/api/v1/applications/{draft.public_id}/submit"),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["errors"][0]["code"] == "not_found"
    assert stranger.get("/api/v1/my/cases/").json()["count"] == 0
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_acting_for_a_company_sees_only_the_companys_cases():
    agent = f.company_agent()
    company_case = f.submitted(f.item(audiences=["1", "2"], name="企业测试事项"), agent)
    as_company = signed_in(agent)
    assert as_company.get(f"/api/v1/my/cases/{company_case.number}/").status_code == 200
    as_self = Client()
    as_self.force_login(agent.user)
    assert as_self.get(f"/api/v1/my/cases/{company_case.number}/").status_code == 404
    assert as_self.get("/api/v1/my/cases/").json()["count"] == 0


def test_a_bearer_token_acts_for_its_user_and_the_company_it_was_granted_for():
    identity = f.applicant()
    own = f.submitted(f.item(), identity)
    listed = Client().get("/api/v1/my/cases/", **bearer_header(identity.user)).json()
    assert [r["number"] for r in listed["results"]] == [own.number]

    grant = AgentGrantFactory(agent=PersonFactory(verified=True))
    headers = bearer_header(grant.agent.user, "openid company", company=grant.company)
    item = f.item(audiences=["1", "2"], name="企业测试事项")
    created = Client().post(
        "/api/v1/applications/",
        {"item": item.implementation_code},
        content_type=JSON,
        **headers,
    )
    assert created.status_code == 201, created.content
    draft = applications.Application.objects.get(public_id=created.json()["public_id"])
    assert draft.company_id == grant.company.pk and draft.user_id == grant.agent.user_id
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    revoked = Client().get("/api/v1/my/cases/", **headers)
    assert revoked.status_code == 403
    assert revoked.json()["errors"][0]["code"] == "grant_revoked"
    assert Client().get("/api/v1/my/cases/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_correction_withdrawal_and_rating_through_the_api():
    dept = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, dept)
    identity = f.applicant()
    client = signed_in(identity)
    case = f.submitted(f.item(dept), identity)
    key = "N:房屋租赁合同"
    handling.request_correction(
        case, clerk, items=[{"material_code": key, "name": "房屋租赁合同", "problem": "缺签名"}]
    )
    base = f"/api/v1/my/cases/{case.number}"
    detail = client.get(f"{base}/").json()
    assert detail["allowed_actions"] == ["correction", "withdraw"]
    assert detail["correction"]["items"][0]["problem"] == "缺签名"

    missing = client.post(f"{base}/correction", {"note": "已补"})
    assert missing.status_code == 400
    assert "尚缺：房屋租赁合同" in missing.json()["errors"][0]["message"]
    done = client.post(f"{base}/correction", {"note": "已补签名", key: f.pdf("合同")})
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "submitted" and done.json()["correction"] is None

    no_review = client.post(f"{base}/review-request", {"reason": "请复核"}, content_type=JSON)
    assert no_review.status_code == 409
    no_reason = client.post(f"{base}/withdraw", {}, content_type=JSON)
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0] == {
        "field": "reason",
        "code": "required",
        "message": "请填写撤回理由。",
    }
    withdrawn = client.post(f"{base}/withdraw", {"reason": "不需要了"}, content_type=JSON)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    too_late = client.post(f"{base}/rating", {"level": 1}, content_type=JSON)
    assert too_late.status_code == 409
    error = too_late.json()["errors"][0]
    assert error["code"] == "transition_not_allowed" and "已撤回" in error["message"]


def test_rating_a_concluded_case():
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = f.handlers(dept)
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="拟同意")
    handling.complete_step(case, reviewer, opinion="同意")
    handling.decide(case, approver, decision="approve")
    handling.conclude(case, clerk, delivery="electronic")
    client = signed_in(identity)
    url = f"/api/v1/my/cases/{case.number}/rating"
    assert client.get(f"/api/v1/my/cases/{case.number}/").json()["allowed_actions"] == ["rating"]
    bad = client.post(url, {"level": 5}, content_type=JSON)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "comment"
    wrong = client.post(url, {"level": "很好"}, content_type=JSON)
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "level"
    rated = client.post(url, {"level": 1, "comment": "很方便"}, content_type=JSON)
    assert rated.status_code == 200
    assert rated.json()["rating"]["level"] == 1 and rated.json()["allowed_actions"] == []
    twice = client.post(url, {"level": 2}, content_type=JSON)
    assert twice.status_code == 409 and twice.json()["errors"][0]["code"] == "already_rated"


def test_taking_back_a_material_and_discarding_a_draft():
    identity = f.applicant()
    client = signed_in(identity)
    draft = start(client, f.item())
    url = f"/api/v1/applications/{draft['public_id']}/"
    client.post(f"{url}materials/", {"key": "N:申请书", "file": f.pdf("申请书")})
    assert [m["key"] for m in client.get(url).json()["materials"]] == ["N:申请书"]
    removed = client.delete(f"{url}materials/N:申请书/")
    assert removed.status_code == 204
    assert client.get(url).json()["materials"] == []
    again = client.delete(f"{url}materials/N:申请书/")
    assert again.status_code == 404 and again.json()["errors"][0]["field"] == "key"
    unknown = client.post(f"{url}materials/", {"key": "N:不需要的", "file": f.pdf()})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["message"] == "该事项不需要这份材料。"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_a_bundle_is_one_application_and_several_cases():
    members = [
        f.item(f.department("江门市民政局"), name="最低生活保障"),
        f.item(f.department("江门市公安局"), name="户籍证明"),
    ]
    bundle = f.bundle(members, code="api-bundle")
    identity = f.applicant()
    client = signed_in(identity)
    created = client.post("/api/v1/applications/", {"bundle": "api-bundle"}, content_type=JSON)
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["bundle"] == {"code": "api-bundle", "name": bundle.name}
    assert all(len(n["items"]) == 2 for n in draft["materials_needed"])  # shared materials once
    application = applications.Application.objects.get(public_id=draft["public_id"])
    f.fill(application, identity)
    submitted = client.post(f"/api/v1/applications/{draft['public_id']}/submit")
    assert submitted.status_code == 201, submitted.content
    body = submitted.json()
    assert body["bundle_case"] and len(body["cases"]) == 2
    assert {c["department"] for c in body["cases"]} == {"江门市民政局", "江门市公安局"}
    unknown = client.post("/api/v1/applications/", {"bundle": "nope"}, content_type=JSON)
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "bundle"
