"""GET /api/v1/me by session and by OIDC bearer token; errors in the API's JSON shape."""

import datetime

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from govhall.accounts.models import AuthorizationContext
from govhall.accounts.services import clients

from .factories import AgentGrantFactory, PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("govhall.accounts.tests.urls_api")]


def test_me_needs_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] in ("not_authenticated", "authentication_failed")


def test_me_by_session_masks_the_id_number(client):
    person = PersonFactory(verified=True)
    client.force_login(person.user)
    data = client.get("/api/v1/me").json()
    assert data["name"] == person.name and data["realname_level"] == 2
    assert data["id_number_masked"] == person.masked_id_number
    assert person.id_number not in str(data) and data["acting_company"] is None


def test_me_by_bearer_token_carries_the_acting_company(client):
    grant = AgentGrantFactory()
    registered = clients.register_client(name="测试系统", redirect_uris=["https://a.example/cb"])
    AccessToken = get_access_token_model()
    token = AccessToken(
        user=grant.agent.user,
        application=registered.application,
        scope="openid profile company",
        expires=timezone.now() + datetime.timedelta(hours=1),
        token="test-access-token-0123456789",
    )
    token.save()
    AuthorizationContext.objects.create(access_token=token, company=grant.company)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer test-access-token-0123456789")
    assert response.status_code == 200, response.content
    assert response.json()["acting_company"]["credit_code"] == grant.company.credit_code
    bad = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wrong")
    assert bad.status_code == 401 and "errors" in bad.json()
