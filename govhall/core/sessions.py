"""Background polls leave the session alone.

Sessions are saved on every request (``SESSION_SAVE_EVERY_REQUEST``) so that use keeps
them alive for ``SESSION_COOKIE_AGE``. A page's background poll (the staff task badge,
the live 亮证 code) is not use: were it saved, a badge polled every minute would keep an
unattended desk signed in forever, and a poll that read the session before a form post
and wrote it back after would undo what the post remembered (the counter's person being
served, say). Views marked :func:`leaves_session_alone` therefore neither save the
session nor renew its cookie.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware

_MARK = "govhall_leave_session_alone"


def leaves_session_alone(view):
    """Mark a view (a background poll) whose requests must not save the session."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        setattr(request, _MARK, True)
        return view(request, *args, **kwargs)

    return wrapped


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except for requests :func:`leaves_session_alone`."""

    def process_response(self, request, response):
        if getattr(request, _MARK, False):
            return response
        return super().process_response(request, response)
