"""Companies and agents: the legal representative registers the company and grants an
agent; the agent acts for it; after revocation the agent can no longer act."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.models import AgentGrant, Company, RealNameLevel
from govhall.accounts.services import companies
from govhall.core.models import AuditEntry

from .factories import (
    DEFAULT_PASSWORD,
    AgentGrantFactory,
    CompanyFactory,
    PersonFactory,
    credit_code_for,
)


def login(client, person):
    response = client.post(
        reverse("accounts:login"),
        {"username": person.user.username, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_representative_grants_agent_who_acts_until_revoked(client):
    from django.test import Client

    boss = PersonFactory(verified=True, name="何国强")
    clerk = PersonFactory(name="周小燕")
    code = credit_code_for(900001)

    # The legal representative registers the company…
    login(client, boss)
    response = client.post(
        reverse("accounts:company-register"),
        {"credit_code": code.lower(), "name": "江门国强贸易有限公司"},
    )
    company = Company.objects.get(credit_code=code)
    assert response.status_code == 302 and company.legal_representative == boss
    # …and grants the agent two powers for a year.
    today = timezone.localdate()
    response = client.post(
        reverse("accounts:company-agents", kwargs={"pk": company.pk}),
        {
            "agent_id_number": clerk.id_number,
            "agent_name": "周小燕",
            "powers": ["apply", "view_cases"],
            "valid_from": today.isoformat(),
            "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302
    grant = AgentGrant.objects.get(company=company, agent=clerk)
    assert grant.powers == ["apply", "view_cases"] and grant.granted_by == boss.user

    # The agent signs in elsewhere and switches the acting identity to the company.
    agent_client = Client()
    login(agent_client, clerk)
    page = agent_client.get(reverse("accounts:acting"))
    assert "江门国强贸易有限公司" in page.content.decode()
    switched = agent_client.post(reverse("accounts:acting"), {"company": company.pk})
    assert switched.status_code == 302
    home = agent_client.get(reverse("accounts:home"))
    identity = home.wsgi_request.identity
    assert identity.company == company and identity.role == "agent"
    assert identity.can("apply") and not identity.can("receive_licences")
    assert companies.can_act(clerk, company, "view_cases")
    assert "您当前正在代“江门国强贸易有限公司”办事" in home.content.decode()

    # The representative revokes; the agent's very next request is back to themself.
    revoked = client.post(
        reverse("accounts:grant-revoke", kwargs={"pk": company.pk, "grant_id": grant.pk}),
        {"reason": "离职"},
    )
    assert revoked.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoke_reason == "离职"
    after = agent_client.get(reverse("accounts:home"))
    assert after.wsgi_request.identity.company is None
    assert "授权已失效" in after.content.decode()
    assert not companies.can_act(clerk, company)
    again = agent_client.post(reverse("accounts:acting"), {"company": company.pk})
    assert again.status_code == 400
    assert "没有代该法人办事的有效授权" in again.content.decode()
    assert AuditEntry.objects.filter(
        object_type="accounts.agentgrant", object_id=str(grant.pk), action="update"
    ).exists()


@pytest.mark.django_db
def test_company_registration_requires_online_verified_level_and_valid_code():
    person = PersonFactory(realname_level=RealNameLevel.SELF_REGISTERED)
    with pytest.raises(ValidationError, match="二级：在线核验"):
        companies.register_company(user=person.user, credit_code=credit_code_for(1), name="甲公司")
    person.realname_level = RealNameLevel.ONLINE_VERIFIED
    person.save()
    with pytest.raises(ValidationError) as error:
        companies.register_company(user=person.user, credit_code="91440703MA4W0J2K1X", name="")
    assert set(error.value.error_dict) == {"credit_code", "name"}
    assert "校验码错误" in str(error.value.error_dict["credit_code"])
    with pytest.raises(ValidationError, match="与可信数据源登记的信息不一致"):
        companies.register_company(
            user=person.user, credit_code=credit_code_for(2), name="信息不符有限公司"
        )
    assert not Company.objects.exists()
    company = companies.register_company(
        user=person.user, credit_code=credit_code_for(3), name="乙公司"
    )
    with pytest.raises(ValidationError, match="已注册"):
        companies.register_company(user=person.user, credit_code=company.credit_code, name="乙")


@pytest.mark.django_db
def test_grant_rules():
    company = CompanyFactory()
    boss = company.legal_representative
    agent = PersonFactory(name="梁文")
    today = timezone.localdate()
    base = dict(
        company=company,
        granted_by=boss.user,
        agent_id_number=agent.id_number,
        agent_name="梁文",
        powers=["apply"],
        valid_from=today,
        valid_until=today + datetime.timedelta(days=10),
    )
    with pytest.raises(ValidationError, match="法定代表人"):
        companies.grant_agent(**{**base, "granted_by": agent.user})
    with pytest.raises(ValidationError) as error:
        companies.grant_agent(
            **{
                **base,
                "agent_name": "别人",
                "powers": [],
                "valid_until": today - datetime.timedelta(days=1),
            }
        )
    assert set(error.value.error_dict) == {"agent_id_number", "powers", "valid_until"}
    with pytest.raises(ValidationError, match="不能早于今天"):
        companies.grant_agent(**{**base, "valid_from": today - datetime.timedelta(days=1)})
    with pytest.raises(ValidationError, match="本人无需授权"):
        companies.grant_agent(
            **{**base, "agent_id_number": boss.id_number, "agent_name": boss.name}
        )
    companies.grant_agent(**base)
    with pytest.raises(ValidationError, match="已有未撤销的授权"):
        companies.grant_agent(**base)


@pytest.mark.django_db
def test_grants_act_only_within_their_period():
    today = timezone.localdate()
    future = AgentGrantFactory(valid_from=today + datetime.timedelta(days=3))
    expired = AgentGrantFactory(
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today - datetime.timedelta(days=1),
    )
    current = AgentGrantFactory()
    assert not companies.can_act(future.agent, future.company)
    assert not companies.can_act(expired.agent, expired.company)
    assert companies.can_act(current.agent, current.company, "apply")
    assert not companies.can_act(current.agent, current.company, "receive_licences")
    # A person may act for several companies and always for those they represent.
    second = AgentGrantFactory(agent=current.agent)
    names = {o.company.name for o in companies.acting_options(current.agent)}
    assert names == {current.company.name, second.company.name}
    boss = current.company.legal_representative
    assert companies.acting_options(boss)[0].role == "legal_representative"


@pytest.mark.django_db
def test_only_the_representative_manages_agents(client):
    grant = AgentGrantFactory()
    login(client, grant.agent)
    url = reverse("accounts:company-agents", kwargs={"pk": grant.company.pk})
    assert client.get(url).status_code == 404
    revoke = reverse("accounts:grant-revoke", kwargs={"pk": grant.company.pk, "grant_id": grant.pk})
    assert client.post(revoke).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


@pytest.mark.django_db
def test_switching_returns_to_a_safe_next_page(client):
    grant = AgentGrantFactory()
    login(client, grant.agent)
    page = client.get(reverse("accounts:acting") + "?next=/o/authorize/%3Fx%3D1")
    assert 'name="next" value="/o/authorize/?x=1"' in page.content.decode()
    back = client.post(
        reverse("accounts:acting"), {"company": grant.company.pk, "next": "/o/authorize/?x=1"}
    )
    assert back.url == "/o/authorize/?x=1"
    evil = client.post(
        reverse("accounts:acting"), {"company": "self", "next": "https://evil.example/"}
    )
    assert evil.url == reverse("accounts:home")
