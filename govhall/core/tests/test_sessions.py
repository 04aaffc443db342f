"""Background polls neither renew the session nor write back what they read."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from govhall.accounts.tests.factories import PersonFactory
from govhall.cases.tests import factories as f
from govhall.cases.tests.staff_support import civil_affairs, clerk, desk
from govhall.core import sessions
from govhall.core.sessions import SessionMiddleware, leaves_session_alone

pytestmark = pytest.mark.django_db
assert desk  # the fixture, used by the badge test


def _stored(key: str) -> Session:
    return Session.objects.get(session_key=key)


def _poll_racing_a_post(view) -> dict:
    """Run ``view`` through the session middleware while another request (the post)
    stores the person being served between the poll's read and its response."""
    store = SessionStore()
    store["counter"] = {"person": None}
    store.create()
    request = RequestFactory().get("/poll/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = store.session_key

    def concurrent_post(request):
        assert request.session["counter"] == {"person": None}  # the poll reads first
        other = SessionStore(session_key=store.session_key)
        other["counter"] = {"person": 7}
        other.save()
        return view(request)

    SessionMiddleware(concurrent_post)(request)
    return SessionStore(session_key=store.session_key).load()


def test_a_marked_poll_does_not_undo_a_concurrent_post():
    answer = leaves_session_alone(lambda request: HttpResponse("{}"))
    assert _poll_racing_a_post(answer)["counter"] == {"person": 7}


def test_an_ordinary_request_would_write_its_stale_copy_back():
    """What the mark prevents: a request that renews the session (its last renewal is a
    minute old, or there was none) saves the copy it read, which wins."""
    plain = lambda request: HttpResponse("{}")  # noqa: E731
    assert _poll_racing_a_post(plain)["counter"] == {"person": None}


@pytest.mark.usefixtures("desk")
def test_the_task_badge_does_not_keep_an_idle_desk_signed_in(client):
    window = clerk(civil_affairs())
    f.submitted(f.item(window.staff_posts.first().department))
    client.force_login(window)
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=2)
    Session.objects.filter(session_key=key).update(expire_date=soon)

    badge = client.get(reverse("workbench:task-badge"))
    assert badge.status_code == 200 and badge.json()["pending"] == 1
    assert settings.SESSION_COOKIE_NAME not in badge.cookies
    assert _stored(key).expire_date == soon

    page = client.get(reverse("workbench:cases-inbox"))  # use, by contrast, renews it
    assert page.status_code == 200
    assert _stored(key).expire_date > soon + timedelta(minutes=20)


def _signed_in(client):
    client.force_login(PersonFactory().user)
    return client.session.session_key


def _page(client):
    response = client.get(reverse("accounts:my-data"))
    assert response.status_code == 200
    return response


def test_use_renews_the_session_at_most_once_an_interval(client, settings):
    settings.GOVHALL_SESSION_RENEW_SECONDS = 60
    key = _signed_in(client)
    first = _page(client)  # no renewal yet: this one renews
    assert settings.SESSION_COOKIE_NAME in first.cookies
    renewed = _stored(key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)

    again = _page(client)  # seconds later: nothing written, no new cookie
    assert settings.SESSION_COOKIE_NAME not in again.cookies
    assert _stored(key).expire_date == renewed

    stamp = client.session[sessions.RENEWED]
    store = SessionStore(session_key=key)
    store[sessions.RENEWED] = stamp - 61  # the last renewal a minute ago
    store.save()
    later = _page(client)
    assert settings.SESSION_COOKIE_NAME in later.cookies
    assert client.session[sessions.RENEWED] >= stamp


def test_the_idle_timeout_still_ends_an_unused_session(client, settings):
    key = _signed_in(client)
    _page(client)
    ended = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=key).update(expire_date=ended)
    response = client.get(reverse("accounts:my-data"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_cookie_of_an_ended_session_is_not_renewed_into_a_new_one(client):
    key = _signed_in(client)
    Session.objects.filter(session_key=key).delete()
    before = Session.objects.count()
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert Session.objects.count() == before


def test_the_expiry_warning_counts_from_the_last_renewal(client, settings):
    settings.GOVHALL_SESSION_RENEW_SECONDS = 60
    key = _signed_in(client)
    html = _page(client).content.decode()
    assert f'data-age="{settings.SESSION_COOKIE_AGE}"' in html  # this page renewed it
    store = SessionStore(session_key=key)
    store[sessions.RENEWED] = int(time.time()) - 40
    store.save()
    html = _page(client).content.decode()
    ages = [int(a) for a in re.findall(r'data-age="(\d+)"', html)]
    assert ages and all(
        settings.SESSION_COOKIE_AGE - 45 <= a <= settings.SESSION_COOKIE_AGE - 40 for a in ages
    )


def test_keepalive_renews_whenever_asked(client):
    key = _signed_in(client)
    _page(client)
    soon = timezone.now() + timedelta(minutes=2)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    response = client.post(reverse("accounts:keepalive"))
    assert response.status_code == 200
    assert _stored(key).expire_date > soon + timedelta(minutes=20)


def test_a_request_that_changes_the_session_restarts_the_warning_too(settings):
    """A view that stores something saves the session (a new expiry): the stamp follows,
    so the expiry dialog does not warn before the session really ends."""
    settings.GOVHALL_SESSION_RENEW_SECONDS = 60
    store = SessionStore()
    store[sessions.RENEWED] = int(time.time()) - 40
    store.create()

    def remembers(request):
        request.session["counter"] = {"person": 7}
        return HttpResponse("ok")

    request = RequestFactory().post("/counter/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = store.session_key
    SessionMiddleware(remembers)(request)
    saved = SessionStore(session_key=store.session_key).load()
    assert saved["counter"] == {"person": 7}
    assert saved[sessions.RENEWED] >= int(time.time()) - 5

    untouched = SessionStore()
    untouched[sessions.RENEWED] = stamp = int(time.time()) - 40
    untouched.create()
    request = RequestFactory().get("/page/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = untouched.session_key
    SessionMiddleware(lambda request: HttpResponse(request.session.get("x", "")))(request)
    assert SessionStore(session_key=untouched.session_key).load()[sessions.RENEWED] == stamp
