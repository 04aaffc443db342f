"""Who is acting and under which request: set by middleware, read by the audit log."""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ActorContext:
    user_id: int | None = None
    label: str = ""
    request_id: str = ""
    remote_addr: str | None = None
    reason: str = ""


_EMPTY = ActorContext()
_current: contextvars.ContextVar[ActorContext] = contextvars.ContextVar("govhall_actor")


def _get() -> ActorContext:
    return _current.get(_EMPTY)


def current() -> ActorContext:
    return _get()


@contextlib.contextmanager
def acting(**changes):
    """Run a block with some fields of the actor context replaced (e.g. a reason)."""
    token = _current.set(replace(_get(), **changes))
    try:
        yield _get()
    finally:
        _current.reset(token)


def act_for_request(user) -> None:
    """Name ``user`` as the actor for the rest of the current request.

    For authentication that happens inside the view (bearer tokens); ``RequestIdMiddleware``
    restores the context it found when the request ends, so this does not outlive it.
    """
    _current.set(replace(_get(), user_id=user.pk, label=user.get_username()))


def set_context(ctx: ActorContext) -> contextvars.Token:
    return _current.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _current.reset(token)
