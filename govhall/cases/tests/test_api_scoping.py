"""Scoping: a Jiangmen clerk learns nothing about a Chaozhou case, on any staff endpoint."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from govhall.accounts.services import clients
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post

from ..api.serializers.staff import REQUESTS
from ..models import CaseState
from . import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"

# A body each action would accept, so only the scope can be the reason for refusing.
BODIES = {
    "accept": {"opinion": "予以受理"},
    "reject": {"reason": "不属于本部门职权"},
    "request-correction": {
        "items": [{"material_code": "N:申请书", "name": "申请书", "problem": "未签名"}]
    },
    "complete-step": {"opinion": "同意"},
    "return-step": {"opinion": "退回"},
    "decide": {"decision": "approve", "opinion": "同意"},
    "start-special": {"kind": "hearing", "reason": "听证"},
    "end-special": {"result": "完毕"},
    "extend": {"days": 5, "reason": "复杂"},
    "conclude": {"delivery": "electronic"},
    "deliver": {"collected_by": "本人"},
}


@pytest.fixture
def world():
    jiangmen = f.department("江门市民政局")
    chaozhou = f.dept_like("民政", f.CHAOZHOU)
    assert chaozhou is not None and chaozhou.region_id == "445100"
    clerk = Client()
    clerk.force_login(f.staff(Post.CLERK, jiangmen))
    local = f.submitted(f.item(jiangmen))
    remote = f.submitted(f.item(chaozhou, name="潮州低保申请"))
    assert remote.number.startswith("445100")
    return clerk, local, remote, chaozhou


def test_every_action_has_a_body_in_this_suite():
    assert set(BODIES) == set(REQUESTS)


def test_a_chaozhou_case_is_404_on_every_staff_endpoint(world):
    clerk, local, remote, _ = world
    detail = clerk.get(f"/api/v1/staff/cases/{remote.number}/")
    assert detail.status_code == 404
    assert detail.json()["errors"][0]["code"] == "not_found"
    for action, body in BODIES.items():
        response = clerk.post(
            f"/api/v1/staff/cases/{remote.number}/actions/{action}", body, content_type=JSON
        )
        assert response.status_code == 404, (action, response.content)
        assert response.json()["errors"][0]["code"] == "not_found"
        # an empty body is refused by the scope too, before the body is read
        empty = clerk.post(f"/api/v1/staff/cases/{remote.number}/actions/{action}")
        assert empty.status_code == 404, action
    remote.refresh_from_db()
    assert remote.state == CaseState.SUBMITTED
    assert ProcessRecord.objects.filter(case_number=remote.number).count() == 1
    # the same requests reach the clerk's own case (the 404 is the scope, not the path)
    assert clerk.get(f"/api/v1/staff/cases/{local.number}/").status_code == 200
    assert (
        clerk.post(
            f"/api/v1/staff/cases/{local.number}/actions/accept", {}, content_type=JSON
        ).status_code
        == 200
    )


def test_a_404_for_out_of_scope_looks_like_one_for_no_such_case(world):
    clerk, _, remote, _ = world
    missing = "445100" + "9" * 23
    out_of_scope = clerk.get(f"/api/v1/staff/cases/{remote.number}/")
    no_such = clerk.get(f"/api/v1/staff/cases/{missing}/")
    assert out_of_scope.json() == no_such.json()


def test_a_chaozhou_case_never_appears_in_the_jiangmen_inbox_or_list(world):
    clerk, local, remote, _ = world
    for params in ({}, {"filter": "due_soon"}, {"filter": "overdue"}, {"filter": "suspended"}):
        rows = clerk.get("/api/v1/staff/inbox/", params).json()["results"]
        assert remote.number not in {r["case_number"] for r in rows}, params
    assert [r["case_number"] for r in clerk.get("/api/v1/staff/inbox/").json()["results"]] == [
        local.number
    ]
    for params in ({}, {"state": "submitted"}):
        rows = clerk.get("/api/v1/staff/cases/", params).json()["results"]
        assert [r["number"] for r in rows] == [local.number], params


def test_the_chaozhou_clerk_does_see_it(world):
    _, local, remote, chaozhou = world
    theirs = Client()
    theirs.force_login(f.staff(Post.CLERK, chaozhou))
    assert theirs.get(f"/api/v1/staff/cases/{remote.number}/").status_code == 200
    assert theirs.get(f"/api/v1/staff/cases/{local.number}/").status_code == 404
    rows = theirs.get("/api/v1/staff/inbox/").json()["results"]
    assert [r["case_number"] for r in rows] == [remote.number]


def test_applicants_and_anonymous_callers_do_not_reach_the_staff_side(world):
    _, local, _, _ = world
    applicant = Client()
    applicant.force_login(f.applicant().user)
    for path in ("/api/v1/staff/inbox/", f"/api/v1/staff/cases/{local.number}/"):
        denied = applicant.get(path)
        assert denied.status_code == 403
        assert denied.json()["errors"][0]["code"] == "staff_only"
        assert Client().get(path).status_code == 401


def staff_token(user, scope: str) -> dict:
    registered = clients.register_client(
        name="部门业务系统", redirect_uris=["https://b.example/cb"]
    )
    token = get_access_token_model().objects.create(
        user=user,
        application=registered.application,
        scope=scope,
        expires=timezone.now() + datetime.timedelta(hours=1),
        token=f"staff-{user.pk}-{scope.replace(' ', '-')}",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token.token}"}


def test_a_bearer_token_needs_the_staff_scope_and_keeps_the_users_scope():
    jiangmen = f.department("江门市民政局")
    user = f.staff(Post.CLERK, jiangmen)
    local = f.submitted(f.item(jiangmen))
    remote = f.submitted(f.item(f.dept_like("民政", f.CHAOZHOU), name="潮州低保申请"))
    without = Client().get("/api/v1/staff/inbox/", **staff_token(user, "openid profile"))
    assert without.status_code == 403
    with_scope = staff_token(user, "openid staff")
    rows = Client().get("/api/v1/staff/inbox/", **with_scope).json()["results"]
    assert [r["case_number"] for r in rows] == [local.number]
    assert Client().get(f"/api/v1/staff/cases/{remote.number}/", **with_scope).status_code == 404
    accepted = Client().post(
        f"/api/v1/staff/cases/{local.number}/actions/accept", {}, content_type=JSON, **with_scope
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "in_progress"
