"""Background polls neither renew the session nor write back what they read."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from govhall.cases.tests import factories as f
from govhall.cases.tests.staff_support import civil_affairs, clerk, desk
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
    """What the mark prevents: with SESSION_SAVE_EVERY_REQUEST the read copy wins."""
    assert settings.SESSION_SAVE_EVERY_REQUEST
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
