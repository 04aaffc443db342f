"""Reads of dashboards and open data go to a read replica, when one is configured.

``ReplicaReadsMiddleware`` marks GET and HEAD requests under ``GOVHALL_REPLICA_PATHS``
(the monitoring dashboards and their API; open-data pages add their prefix) and
``reads_from_replica`` marks any other block or view; inside, ``ReplicaRouter`` sends
reads to the replica (``DATABASE_REPLICA_URL``; ``GOVHALL_READ_REPLICA`` names the alias).
Never to the replica:
anything inside a transaction (a dashboard folding new records writes, and must read
what it writes), and the apps whose rows decide who may do what — sessions, accounts,
posts, OAuth tokens, the audit chain — which must never be read stale.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset(
    {
        "admin",
        "auth",
        "contenttypes",
        "sessions",
        "accounts",
        "regions",
        "core",
        "operations",
        "oauth2_provider",
        "otp_totp",
        "django_otp",
        "django_tasks_db",
    }
)

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "govhall_replica_reads", default=False
)


def replica_configured() -> bool:
    return bool(settings.GOVHALL_READ_REPLICA)


@contextlib.contextmanager
def replica_reads():
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if connections["default"].in_atomic_block:
            return None
        return settings.GOVHALL_READ_REPLICA

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path.startswith(
            tuple(settings.GOVHALL_REPLICA_PATHS)
        ):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
