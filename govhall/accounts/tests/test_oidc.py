"""Single sign-on for department systems: a real OIDC client (Authlib) runs the
authorization-code + PKCE flow against the running server, validates the ID token's
signature from the JWKS and reads userinfo."""

import os

import pytest
import requests
from joserfc.errors import BadSignatureError

from govhall.accounts.services import clients
from govhall.regions.models import Department

from .factories import DEFAULT_PASSWORD, PersonFactory
from .oidc_helpers import (
    REDIRECT_URI,
    Browser,
    department_system,
    hidden_fields,
    signed_in_browser,
    system_of,
    tokens_for,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def department_client(transactional_reference_data):
    department = Department.objects.get(region_id="440700", name="江门市民政局")
    return clients.register_client(
        name="江门市婚姻登记系统",
        redirect_uris=[REDIRECT_URI],
        post_logout_redirect_uris=["http://127.0.0.1:9/bye"],
        scopes="openid profile phone id_number company",
        department=department,
    )


def test_discovery_document(live_server, transactional_reference_data):
    doc = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    assert doc["issuer"] == live_server.url
    assert doc["authorization_endpoint"] == f"{live_server.url}/o/authorize/"
    assert doc["token_endpoint"] == f"{live_server.url}/o/token/"
    assert doc["userinfo_endpoint"] == f"{live_server.url}/o/userinfo/"
    assert doc["jwks_uri"] == f"{live_server.url}/o/.well-known/jwks.json"
    assert doc["end_session_endpoint"] == f"{live_server.url}/o/logout/"
    assert doc["response_types_supported"] == ["code"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    # only what is supported: RS256 ID tokens, no device-code grant (it has no endpoint)
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["grant_types_supported"] == [
        "authorization_code",
        "refresh_token",
        "client_credentials",
    ]
    server = requests.get(
        f"{live_server.url}/.well-known/oauth-authorization-server", timeout=10
    ).json()
    assert not any("device" in grant for grant in server["grant_types_supported"])
    assert "implicit" not in server["grant_types_supported"]
    assert {"id_number", "realname_level", "acting_company"} <= set(doc["claims_supported"])
    assert {"openid", "id_number", "company", "staff"} <= set(doc["scopes_supported"])
    jwks = requests.get(doc["jwks_uri"], timeout=10).json()
    assert jwks["keys"][0]["kty"] == "RSA" and "d" not in jwks["keys"][0]


def test_authorization_code_pkce_flow_with_authlib(live_server, department_client):
    person = PersonFactory(verified=True, name="林晓东")
    app = department_client.application
    system = department_system(
        live_server.url,
        app.client_id,
        department_client.client_secret,
        "openid profile phone id_number",
    )
    request = system.create_authorization_url(REDIRECT_URI)
    assert "code_challenge=" in request["url"] and "code_challenge_method=S256" in request["url"]

    browser = Browser(live_server.url)
    first = browser.get(request["url"])
    assert first.status_code == 302 and "/account/login/" in first.headers["Location"]
    assert browser.login(person.user.mobile, DEFAULT_PASSWORD).status_code == 302
    consent = browser.follow(browser.get(request["url"]))
    assert "江门市婚姻登记系统" in consent.text and "身份证号码" in consent.text
    answer = browser.authorize(request["url"])
    assert answer["state"] == request["state"]
    assert answer["iss"] == live_server.url  # RFC 9207 mix-up defence

    token = system.fetch_access_token(
        REDIRECT_URI, code=answer["code"], code_verifier=request["code_verifier"]
    )
    assert token["token_type"] == "Bearer" and "id_token" in token
    # Signature checked against the JWKS, plus iss, aud, exp, nonce and at_hash.
    claims = system.parse_id_token(token, nonce=request["nonce"])
    assert claims["iss"] == live_server.url
    assert claims["aud"] == app.client_id
    assert claims["sub"] == str(person.user.pk)
    assert claims["name"] == "林晓东"
    assert claims["realname_level"] == 2
    # The ID number is released by userinfo only, never written into the ID token (which
    # travels through browsers and logout URLs, base64 for anyone to read).
    assert "id_number" not in claims and person.id_number not in token["id_token"]
    assert claims["id_number_masked"] == person.masked_id_number
    assert claims["phone_number"] == f"+86{person.user.mobile}"
    assert "acting_company" not in claims

    userinfo = system.userinfo(token=token)
    assert userinfo["sub"] == str(person.user.pk)
    assert userinfo["id_number"] == person.id_number
    assert userinfo["realname_level"] == 2

    # A token whose signature was tampered with is rejected by the client library.
    header, payload, signature = token["id_token"].split(".")
    forged = dict(token, id_token=".".join([header, payload, signature[:-4] + "AAAA"]))
    with pytest.raises(BadSignatureError):
        system.parse_id_token(forged, nonce=request["nonce"])


def test_id_number_needs_its_scope(live_server, department_client):
    person = PersonFactory()
    system = system_of(live_server, department_client, "openid profile")
    browser = signed_in_browser(live_server, person.user)
    request, token = tokens_for(system, browser)
    claims = system.parse_id_token(token, nonce=request["nonce"])
    assert claims["name"] == person.name and claims["id_number_masked"].startswith("4407")
    assert "id_number" not in claims and "phone_number" not in claims
    assert "id_number" not in system.userinfo(token=token)


def test_pkce_is_required_and_scopes_are_limited_per_client(live_server, department_client):
    person = PersonFactory()
    app = department_client.application
    browser = Browser(live_server.url)
    browser.login(person.user.username, DEFAULT_PASSWORD)
    base = f"{live_server.url}/o/authorize/?response_type=code&client_id={app.client_id}"
    no_pkce = browser.get(f"{base}&redirect_uri={REDIRECT_URI}&scope=openid&state=x")
    assert no_pkce.status_code == 302
    assert "error=invalid_request" in no_pkce.headers["Location"]
    assert "Code+challenge+required" in no_pkce.headers["Location"]
    # The "plain" method is refused too (RFC 9700): only S256 yields a code.
    plain = browser.authorize(
        f"{base}&redirect_uri={REDIRECT_URI}&scope=openid&state=y"
        "&code_challenge=abcdefghijabcdefghijabcdefghijabcdefghij123&code_challenge_method=plain"
    )
    assert plain.get("error") == "invalid_request" and "code" not in plain
    system = department_system(
        live_server.url, app.client_id, department_client.client_secret, "openid staff"
    )
    request = system.create_authorization_url(REDIRECT_URI)
    answer = browser.authorize(request["url"])
    assert answer.get("error") == "invalid_scope"


def test_rp_initiated_logout_ends_the_hall_session(live_server, department_client):
    person = PersonFactory()
    system = system_of(live_server, department_client, "openid")
    browser = signed_in_browser(live_server, person.user)
    _request, token = tokens_for(system, browser)
    logout = system.create_logout_url(
        post_logout_redirect_uri="http://127.0.0.1:9/bye", id_token_hint=token["id_token"]
    )
    response = browser.get(logout["url"])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://127.0.0.1:9/bye")
    assert browser.get("/account/").status_code == 302  # signed out of the hall too


def test_logout_by_post_keeps_the_id_token_out_of_urls(live_server, department_client):
    """RP-Initiated Logout 1.0 §2: the end-session endpoint accepts POST, so a system sends
    id_token_hint in a form body; without a hint a POST needs our CSRF token."""
    person = PersonFactory()
    system = system_of(live_server, department_client, "openid")
    browser = signed_in_browser(live_server, person.user)
    _request, token = tokens_for(system, browser)
    forged = browser.post(
        "/o/logout/", {"allow": "Logout", "post_logout_redirect_uri": "http://127.0.0.1:9/bye"}
    )
    assert forged.status_code == 403  # another site cannot sign the user out
    assert browser.get("/account/").status_code == 200
    response = browser.post(
        "/o/logout/",
        {
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:9/bye",
            "state": "s1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://127.0.0.1:9/bye")
    assert "state=s1" in response.headers["Location"]
    assert browser.get("/account/").status_code == 302


def test_logout_without_id_token_hint_asks_the_user(live_server, department_client):
    """The hint-free logout: client_id and the registered post-logout URI in the URL, no
    token; the hall asks the user to confirm, then signs out and returns."""
    person = PersonFactory()
    app = department_client.application
    browser = Browser(live_server.url)
    browser.login(person.user.username, DEFAULT_PASSWORD)
    query = requests.compat.urlencode(
        {"client_id": app.client_id, "post_logout_redirect_uri": "http://127.0.0.1:9/bye"}
    )
    page = browser.get(f"/o/logout/?{query}")
    assert page.status_code == 200 and "退出统一身份认证" in page.text
    data = hidden_fields(page.text)
    response = browser.post("/o/logout/", {**data, "allow": "Logout"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("http://127.0.0.1:9/bye")
    assert browser.get("/account/").status_code == 302


def test_acting_company_travels_with_the_tokens_and_ends_with_the_grant(
    live_server, department_client
):
    from govhall.accounts.services import companies

    from .factories import AgentGrantFactory
    from .oidc_helpers import hidden_fields

    grant = AgentGrantFactory()
    agent = grant.agent
    system = system_of(live_server, department_client, "openid profile company")
    browser = signed_in_browser(live_server, agent.user)
    page = browser.get("/account/acting/")
    token = hidden_fields(page.text)["csrfmiddlewaretoken"]
    switched = browser.post(
        "/account/acting/", {"csrfmiddlewaretoken": token, "company": grant.company.pk}
    )
    assert switched.status_code == 302

    request, tokens = tokens_for(system, browser)
    claims = system.parse_id_token(tokens, nonce=request["nonce"])
    assert claims["acting_company"] == {
        "credit_code": grant.company.credit_code,
        "name": grant.company.name,
        "role": "agent",
        "powers": ["apply", "view_cases"],
    }
    assert (
        system.userinfo(token=tokens)["acting_company"]["credit_code"] == grant.company.credit_code
    )

    companies.revoke_grant(grant=grant, revoked_by=grant.company.legal_representative.user)
    assert "acting_company" not in system.userinfo(token=tokens)


def test_an_inactive_system_can_no_longer_sign_in_or_use_its_tokens(live_server, department_client):
    person = PersonFactory()
    system = system_of(live_server, department_client, "openid profile")
    browser = signed_in_browser(live_server, person.user)
    _request, token = tokens_for(system, browser)
    assert system.userinfo(token=token)["sub"] == str(person.user.pk)
    department_client.profile.is_active = False
    department_client.profile.save()
    userinfo = requests.get(
        f"{live_server.url}/o/userinfo/",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 401
    again = browser.get(system.create_authorization_url(REDIRECT_URI)["url"])
    assert again.status_code == 400 and "授权请求有误" in again.text
