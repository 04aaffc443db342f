"""Sessions kept alive by use, written at most once a minute; background polls leave them alone.

Use keeps a session alive for ``SESSION_COOKIE_AGE`` after the last request (the idle
timeout). Django's way, ``SESSION_SAVE_EVERY_REQUEST``, writes the session row and sends
a new cookie on every request: an ``UPDATE`` and a commit per page, most of it renewing
an expiry that moved by a few seconds. Here a request renews the session only when its
last renewal is ``GOVHALL_SESSION_RENEW_SECONDS`` (60) old or more — the idle timeout
then ends between ``SESSION_COOKIE_AGE`` minus that interval and ``SESSION_COOKIE_AGE``
after the last request (what django-session-timeout calls a grace period). The renewal
is a stamp in the session, so a renewal is an ordinary modification: Django saves the
row and the cookie together, with the same expiry. The expiry warning counts from the
stamp (:func:`seconds_left`); ``accounts:keepalive`` renews unconditionally (:func:`renew`).

A page's background poll (the staff task badge, the live 亮证 code) is not use: were it
to renew, a badge polled every minute would keep an unattended desk signed in forever,
and a poll that read the session before a form post and wrote it back after would undo
what the post remembered (the counter's person being served, say). Views marked
:func:`leaves_session_alone` therefore neither save the session nor renew its cookie.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware

_MARK = "govhall_leave_session_alone"
RENEWED = "_renewed"  # the session key of the last renewal's Unix time


def leaves_session_alone(view):
    """Mark a view (a background poll) whose requests must not save the session."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        setattr(request, _MARK, True)
        return view(request, *args, **kwargs)

    return wrapped


def _interval() -> int:
    return int(getattr(settings, "GOVHALL_SESSION_RENEW_SECONDS", 60))


def due_for_renewal(session, now: float | None = None) -> bool:
    """Whether this request's use renews ``session`` (its last renewal is old enough)."""
    now = time.time() if now is None else now
    return now - session.get(RENEWED, 0) >= _interval()


def renew(session, now: float | None = None) -> None:
    """Renew ``session`` for ``SESSION_COOKIE_AGE`` from now (saved with the response)."""
    session[RENEWED] = int(time.time() if now is None else now)


def seconds_left(session, now: float | None = None) -> int:
    """Seconds until ``session`` ends if nothing else renews it, counting this request:
    ``SESSION_COOKIE_AGE`` when its response renews the session, less otherwise."""
    now = time.time() if now is None else now
    if due_for_renewal(session, now):
        return settings.SESSION_COOKIE_AGE
    return max(0, settings.SESSION_COOKIE_AGE - int(now - session[RENEWED]))


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, renewing a used session at most once an interval
    (``SESSION_SAVE_EVERY_REQUEST`` is off), except for requests
    :func:`leaves_session_alone`."""

    def process_response(self, request, response):
        if getattr(request, _MARK, False):
            return response
        session = getattr(request, "session", None)
        if session is not None and _renews(session):
            renew(session)
        return super().process_response(request, response)


def _renews(session) -> bool:
    """Whether this response renews ``session``: one in use, last renewed long enough
    ago or saved anyway (a view changed it: Django's save renews its expiry, so the stamp
    follows). Emptiness is asked again after the read: a cookie of an ended session reads
    as empty, and renewing it would store a new session for nobody."""
    if session.is_empty():
        return False
    return (session.modified or due_for_renewal(session)) and not session.is_empty()
