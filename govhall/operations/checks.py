"""Configuration checks for production (``manage.py check --deploy``; ``make deploy-check``)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def trusted_proxies(app_configs, **kwargs):
    problems = []
    for setting, error_id in (
        ("GOVHALL_TRUSTED_PROXIES", "govhall.E001"),
        ("GOVHALL_METRICS_ALLOW", "govhall.E002"),
    ):
        for cidr in getattr(settings, setting):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                problems.append(
                    Error(f"{setting}: {cidr!r} is not an address or network.", id=error_id)
                )
    if settings.GOVHALL_TRUSTED_PROXY_COUNT and settings.GOVHALL_TRUSTED_PROXIES:
        problems.append(
            Warning(
                "Both GOVHALL_TRUSTED_PROXY_COUNT and GOVHALL_TRUSTED_PROXIES are set; "
                "the count wins.",
                hint="Set one of them.",
                id="govhall.W001",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def production_operations(app_configs, **kwargs):
    problems = []
    if not settings.REDIS_URL:
        problems.append(
            Warning(
                "REDIS_URL is not set: caches, rate limits and the search vocabulary's "
                "version live in each process's memory, so several app processes each "
                "allow the full rate.",
                hint="Set REDIS_URL=redis://127.0.0.1:6379/0 (docs/deployment.md).",
                id="govhall.W002",
            )
        )
    if not settings.GOVHALL_TRUSTED_PROXY_COUNT and not settings.GOVHALL_TRUSTED_PROXIES:
        problems.append(
            Warning(
                "No trusted proxy configured: behind nginx every client has nginx's "
                "address, so one client's failed sign-ins lock out everybody.",
                hint="Set GOVHALL_TRUSTED_PROXY_COUNT=1 behind one nginx (docs/deployment.md).",
                id="govhall.W003",
            )
        )
    if not settings.ADMINS:
        problems.append(
            Warning(
                "GOVHALL_ADMINS is empty: failed jobs and undelivered records alert nobody "
                "by mail.",
                id="govhall.W004",
            )
        )
    if not settings.GOVHALL_BACKUP_KEY:
        problems.append(
            Warning(
                "GOVHALL_BACKUP_KEY is not set: manage.py backup cannot encrypt a backup.",
                hint="python -c 'import secrets; print(secrets.token_urlsafe(32))'",
                id="govhall.W005",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append(
            Warning(
                "The database is not PostgreSQL: production runs on PostgreSQL.",
                id="govhall.W006",
            )
        )
    if not settings.GOVHALL_METRICS_TOKEN:
        problems.append(
            Warning(
                "GOVHALL_METRICS_TOKEN is not set: /metrics answers only the addresses in "
                "GOVHALL_METRICS_ALLOW and signed-in hall administrators.",
                id="govhall.W007",
            )
        )
    return problems


@register(Tags.security)
def encrypted_data_keys(app_configs, **kwargs):
    """Refuse to start when the database holds encrypted data its keys cannot open.

    A development machine generates ``var/field.key`` when it is missing; with data
    encrypted under the lost key every citizen page would then fail. Runs with every
    ``manage.py`` command (``runserver``, ``run_scheduler``, ``db_worker``, ``check``)
    and from gunicorn's ``on_starting`` (deploy/gunicorn.conf.py). A database that is
    not reachable or not migrated yet has nothing to check."""
    from django.db import DatabaseError

    from govhall.operations.services import keycheck

    try:
        return keycheck.problems()
    except DatabaseError:
        return []
