"""Separation of duties in the case engine (回避): nobody handles a case in which they are
the applicant, the agent, or the applicant company's legal representative — a sweep over
every registered staff action, through the service and the API, and the pages."""

import pytest
from django.test import Client

from govhall.accounts.services.acting import Identity
from govhall.accounts.tests.factories import AgentGrantFactory, PersonFactory
from govhall.core.errors import Refusal
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post
from tests.factories import StaffPostFactory

from ..models import Case, CaseState
from ..services import access, actions, counter, handling
from . import factories as f

pytestmark = pytest.mark.django_db
JSON = "application/json"

# A body every action's service and request accept.
ARGUMENTS = {
    "accept": {"opinion": "材料齐全"},
    "request_correction": {"items": [{"name": "申请书", "problem": "未签名"}]},
    "reject": {"reason": "不属于受理范围"},
    "complete_step": {"opinion": "同意"},
    "decide": {"decision": "approve", "opinion": "同意"},
    "return_step": {"opinion": "请补充意见"},
    "start_special": {"kind": "hearing", "reason": "需听证"},
    "end_special": {"result": "听证结束"},
    "extend": {"days": 5, "reason": "情况复杂"},
    "conclude": {"delivery": "electronic"},
    "deliver": {"note": "已领取"},
}


def every_post(user, dept):
    """Give ``user`` every case-handling post of the department: any open task is theirs."""
    for post in (Post.CLERK, Post.REVIEWER, Post.APPROVER, Post.SUPERVISOR):
        StaffPostFactory(user=user, department=dept, post=post)


def party_case(role: str):
    """A case and a staff member who is, in ``role``, a party to it."""
    dept = f.department("江门市民政局")
    if role == "applicant":
        identity = f.applicant()
        case = f.submitted(f.item(dept), identity)
        return case, identity.user
    company_item = f.item(dept, audiences=["1", "2"], name="企业测试事项")
    if role == "agent":
        legal = f.company_agent()
        case = f.submitted(company_item, legal)
        grant = AgentGrantFactory(company=legal.company, agent=PersonFactory(verified=True))
        return case, grant.agent.user
    # legal representative: the case was filed by the company's agent
    grant = AgentGrantFactory(agent=PersonFactory(verified=True), powers=["apply", "view_cases"])
    agent = Identity(
        user=grant.agent.user,
        person=grant.agent,
        company=grant.company,
        role="agent",
        powers=("apply", "view_cases"),
    )
    case = f.submitted(company_item, agent)
    return case, grant.company.legal_representative.user


ROLES = ["applicant", "agent", "legal_representative"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", actions.STAFF_ACTIONS, ids=lambda a: a.name)
def test_every_staff_action_refuses_a_party_to_the_case_in_service_and_api(action, role):
    case, user = party_case(role)
    every_post(user, case.department)
    if action.from_states:
        Case.objects.filter(pk=case.pk).update(state=action.from_states[0])
    case.refresh_from_db()
    records = ProcessRecord.objects.count()

    with pytest.raises(Refusal) as refused:
        action.run(case, user, **ARGUMENTS[action.name])
    assert refused.value.code == "conflict_of_interest"
    assert f"办件{case.number}" in refused.value.message and "回避" in refused.value.message

    client = Client()
    client.force_login(user)
    response = client.post(
        f"/api/v1/staff/cases/{case.number}/actions/{action.slug}",
        ARGUMENTS[action.name],
        content_type=JSON,
    )
    assert response.status_code == 404, response.content
    assert response.json()["errors"][0]["code"] == "not_found"

    state = Case.objects.get(pk=case.pk).state
    assert state == (action.from_states[0] if action.from_states else CaseState.SUBMITTED)
    assert ProcessRecord.objects.count() == records
    assert actions.offered(Case.objects.get(pk=case.pk), user) == []


@pytest.mark.parametrize("listed", [True, False], ids=["own-case-ids", "joined"])
@pytest.mark.parametrize("role", ROLES)
def test_a_party_does_not_see_the_case_on_any_staff_page_or_list(role, listed, monkeypatch):
    if not listed:  # a party to more cases than the inbox lists by id: the join instead
        monkeypatch.setattr(access, "OWN_CASES_LISTED", 0)
    case, user = party_case(role)
    every_post(user, case.department)
    client = Client()
    client.force_login(user)
    assert not access.staff_cases(user).filter(pk=case.pk).exists()
    assert not access.inbox(user).filter(case=case).exists()
    assert client.get(f"/api/v1/staff/cases/{case.number}/").status_code == 404
    assert case.number not in client.get("/api/v1/staff/inbox/").text
    assert case.number not in client.get("/api/v1/staff/cases/").text
    assert client.get(f"/workbench/cases/{case.number}/").status_code == 404


def test_a_superuser_who_applied_is_refused_too():
    identity = f.applicant()
    identity.user.is_superuser = True
    identity.user.save(update_fields=["is_superuser"])
    case = f.submitted(f.item(), identity)
    with pytest.raises(Refusal) as refused:
        handling.accept(case, identity.user)
    assert refused.value.code == "conflict_of_interest"


def test_a_colleague_who_is_no_party_handles_the_same_case():
    case, _ = party_case("applicant")
    colleague = f.staff(Post.CLERK, case.department)
    assert access.staff_cases(colleague).filter(pk=case.pk).exists()
    handling.accept(case, colleague, opinion="材料齐全")
    assert Case.objects.get(pk=case.pk).state == CaseState.IN_PROGRESS


def test_a_counter_clerk_does_not_take_their_own_application():
    dept = f.department("江门市民政局")
    identity = f.applicant()
    StaffPostFactory(user=identity.user, department=dept, post=Post.CLERK)
    with pytest.raises(Refusal) as refused:
        counter.take_application(
            identity.user,
            dept,
            person=identity.person,
            item=f.item(dept),
            answers=dict(f.ANSWERS),
            contact_phone="13800138000",
        )
    assert (refused.value.field, refused.value.code) == ("person", "conflict_of_interest")
    assert not Case.objects.filter(person=identity.person).exists()
