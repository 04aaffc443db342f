"""Elder mode (长者模式): a POST toggles a cookie and returns to a page on this site only."""

import re

import pytest
from django.test import Client

from govhall.portal.context_processors import ELDER_COOKIE

pytestmark = pytest.mark.django_db

# base.html marks the page with an "elder" class on <html> or <body>.
ELDER_CLASS = re.compile(r'<(?:html|body)[^>]*class="[^"]*\belder\b')


def test_toggle_turns_elder_mode_on_and_back_off(client):
    response = client.post("/elder-mode/", {"next": "/halls/440700/"})
    assert (response.status_code, response["Location"]) == (302, "/halls/440700/")
    cookie = response.cookies[ELDER_COOKIE]
    assert cookie.value == "1"
    assert cookie["samesite"] == "Lax" and cookie["httponly"]

    on = client.get("/halls/440700/")
    assert on.context["elder_mode"] is True
    page = on.content.decode()
    assert ELDER_CLASS.search(page)
    assert 'aria-pressed="true"' in page and "退出长者模式" in page

    off = client.post("/elder-mode/", {"next": "/"})
    assert off.cookies[ELDER_COOKIE].value == "0"
    home = client.get("/")
    assert home.context["elder_mode"] is False
    page = home.content.decode()
    assert not ELDER_CLASS.search(page) and 'aria-pressed="false"' in page


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "///evil.example",
    ],
)
def test_an_external_next_is_refused(client, target):
    response = client.post("/elder-mode/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_missing_next_returns_home(client):
    assert client.post("/elder-mode/")["Location"] == "/"


def test_toggle_is_post_only_and_csrf_protected():
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.get("/elder-mode/").status_code == 405
    assert csrf_client.post("/elder-mode/", {"next": "/"}).status_code == 403
    page = csrf_client.get("/")
    token = page.cookies["csrftoken"].value
    response = csrf_client.post("/elder-mode/", {"next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
