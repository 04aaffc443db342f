"""Liveness stays as it was; readiness adds the shared cache and the scheduler's
heartbeat; /metrics is Prometheus text for allowed callers only; logs are JSON lines
with the request id, the user id and the route — never an ID number."""

import datetime
import io
import json
import logging
import re

import pytest
from django.utils import timezone

from govhall.operations.logs import JsonFormatter
from govhall.operations.models import JobState, SchedulerInstance


def _beat(seconds_ago: float = 0) -> None:
    moment = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    SchedulerInstance.objects.create(
        instance="test:1:abc", host="test", pid=1, started_at=moment, beat_at=moment
    )


@pytest.mark.django_db
def test_healthz_is_unchanged(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_readiness_needs_a_live_scheduler(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["scheduler"] == "error: no scheduler running"
    assert response.json()["database"] == "ok" and response.json()["cache"] == "local"
    _beat()
    assert client.get("/readyz").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "local",
        "scheduler": "ok",
    }
    SchedulerInstance.objects.update(beat_at=timezone.now() - datetime.timedelta(minutes=5))
    stale = client.get("/readyz")
    assert stale.status_code == 503 and "last heartbeat 300 s ago" in stale.json()["scheduler"]


@pytest.mark.django_db
def test_readiness_reports_an_unreachable_cache(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    _beat()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["cache"] == "error"


@pytest.mark.django_db
def test_metrics_are_for_allowed_callers_only(client, settings):
    settings.GOVHALL_METRICS_ALLOW = []
    settings.GOVHALL_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    settings.GOVHALL_METRICS_ALLOW = ["127.0.0.1/32"]
    assert client.get("/metrics").status_code == 200  # the test client's address
    # The allow-list sees the client address, not what a caller claims.
    settings.GOVHALL_METRICS_ALLOW = ["198.51.100.0/24"]
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 403


@pytest.mark.django_db
def test_metrics_report_requests_by_route_and_the_operational_figures(client):
    from tests.factories import UserFactory

    client.get("/api/v1/regions/440000/")
    JobState.objects.create(
        name="scan_deadlines",
        slot=timezone.now(),
        next_run_at=timezone.now(),
        failures=2,
        last_outcome="failed",
        last_finished_at=timezone.now(),
    )
    _beat(3)
    UserFactory(username="not_staff")
    text = client.get("/metrics").content.decode()
    assert (
        'govhall_http_requests_total{method="GET",route="/api/v1/regions/<str:code>/",status="200"}'
        in text
    )
    assert 'govhall_http_request_duration_seconds_bucket{le="0.01",method="GET"' in text
    assert 'govhall_job_consecutive_failures{job="scan_deadlines"} 2.0' in text
    assert "govhall_task_queue_depth 0.0" in text
    assert "govhall_outbox_pending" in text and "govhall_exchange_ingest_lag_seconds" in text
    assert "govhall_scheduler_heartbeat_age_seconds 3." in text
    assert "govhall_db_up 1.0" in text
    # Route patterns, never the values in the path (a float sample may contain the digits).
    labels = re.findall(r'route="([^"]*)"', text)
    assert labels and not [label for label in labels if "440000" in label]


def test_json_log_lines_carry_request_id_user_id_and_route_and_mask_id_numbers():
    from govhall.core.logging import MaskIdNumbersFilter, RequestIdFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskIdNumbersFilter())
    logger = logging.getLogger("govhall.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "lookup of %s failed",
            "440703199001011234",
            extra={"route": "/my/cases/<str:number>/", "user_id": 42, "status": 404},
        )
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["user_id"] == 42 and line["route"] == "/my/cases/<str:number>/"
    assert line["status"] == 404 and line["request_id"] == "-" and line["level"] == "WARNING"
    assert "440703199001011234" not in stream.getvalue()


@pytest.mark.django_db
def test_each_request_is_logged_with_its_route_status_and_client(client, caplog, settings):
    settings.GOVHALL_TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.INFO, logger="govhall.request"):
        response = client.get("/api/v1/regions/440000/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    (record,) = [r for r in caplog.records if r.name == "govhall.request"]
    assert record.route == "/api/v1/regions/<str:code>/" and record.status == 200
    assert record.client == "203.0.113.7"
    assert response["X-Request-ID"]
