"""A person's browser (requests) and a department system (Authlib) talking to the live server."""

import html
import re
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from authlib.integrations.django_client import OAuth

REDIRECT_URI = "http://127.0.0.1:9/callback"

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def hidden_fields(page: str, form_id: str | None = None) -> dict[str, str]:
    if form_id:
        start = page.index(f'id="{form_id}"')
        page = page[start : page.index("</form>", start)]
    fields = {}
    for tag in _INPUT.findall(page):
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


class Browser:
    """Follows redirects on the live server only, never to the client's redirect URI."""

    def __init__(self, base_url: str):
        self.base = base_url
        self.session = requests.Session()

    def get(self, url: str, **kwargs):
        return self.session.get(urljoin(self.base, url), allow_redirects=False, **kwargs)

    def post(self, url: str, data: dict, **kwargs):
        return self.session.post(
            urljoin(self.base, url), data=data, allow_redirects=False, **kwargs
        )

    def login(
        self, username: str, password: str, next_url: str = "/", **extra
    ) -> requests.Response:
        page = self.get("/account/login/?" + requests.compat.urlencode({"next": next_url}))
        token = hidden_fields(page.text)["csrfmiddlewaretoken"]
        data = {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": next_url,
            **extra,
        }
        return self.post("/account/login/", data)

    def follow(self, response: requests.Response, limit: int = 10) -> requests.Response:
        """Follow redirects while they stay on the server."""
        for _ in range(limit):
            if response.status_code not in (301, 302, 303):
                return response
            location = response.headers["Location"]
            if location.startswith(REDIRECT_URI):
                return response
            response = self.get(location)
        return response

    def authorize(self, authorization_url: str, *, allow: bool = True) -> dict:
        """Pass the consent page if shown; return the query sent to the redirect URI."""
        response = self.follow(self.get(authorization_url))
        if response.status_code == 200 and 'id="authorizationForm"' in response.text:
            data = hidden_fields(response.text, "authorizationForm")
            if allow:
                data["allow"] = "Authorize"
            response = self.follow(self.post(response.url, data))
        assert response.status_code == 302, response.text[:500]
        location = response.headers["Location"]
        assert location.startswith(REDIRECT_URI), location
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


def department_system(base_url: str, client_id: str, client_secret: str, scope: str):
    """The department system's OIDC client: Authlib, configured from discovery only."""
    oauth = OAuth()
    return oauth.register(
        "govhall",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{base_url}/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256"},
    )


def system_of(live_server, registered, scope: str):
    """The department system of ``registered`` (a registered client and its secret),
    asking for ``scope`` from the live server."""
    app = registered.application
    return department_system(live_server.url, app.client_id, registered.client_secret, scope)


def signed_in_browser(live_server, user) -> Browser:
    from .factories import DEFAULT_PASSWORD

    browser = Browser(live_server.url)
    browser.login(user.username, DEFAULT_PASSWORD)
    return browser


def tokens_for(system, browser: Browser) -> tuple[dict, dict]:
    """The signed-in ``browser`` lets ``system`` in (code + PKCE, S256); returns the
    authorization request (state, nonce, verifier) and the tokens."""
    request = system.create_authorization_url(REDIRECT_URI)
    answer = browser.authorize(request["url"])
    token = system.fetch_access_token(
        REDIRECT_URI, code=answer["code"], code_verifier=request["code_verifier"]
    )
    return request, token
