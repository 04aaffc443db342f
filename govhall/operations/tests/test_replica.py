"""Dashboards read from the replica when one is configured — here the replica alias
points at the primary itself, as a test can: the page is the same, its roll-up reads
went through the replica connection, and sessions, accounts and posts did not."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from govhall.demo.generators import records as generator
from govhall.operations.routers import REPLICA, ReplicaRouter, replica_reads
from govhall.regions.models import Post
from tests.factories import StaffPostFactory


@pytest.fixture
def replica_alias(transactional_reference_data, settings):
    """The test settings define ``replica`` as a mirror of the test database (conftest);
    here the router is turned on."""
    settings.GOVHALL_READ_REPLICA = REPLICA
    return REPLICA


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_dashboard_reads_go_to_the_replica(client, replica_alias):
    generator.load_demo()  # process records, folded into the roll-ups
    supervisor = StaffPostFactory(post=Post.SUPERVISOR).user
    client.force_login(supervisor)
    without = client.get("/workbench/monitoring/regions/440700/")
    assert without.status_code == 200
    with (
        CaptureQueriesContext(connections[REPLICA]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = client.get("/workbench/monitoring/regions/440700/")
    assert response.status_code == 200
    replica_sql = " ".join(q["sql"] for q in replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in primary.captured_queries)
    assert "monitoring_monthlyrollup" in replica_sql
    assert "monitoring_monthlyrollup" not in primary_sql.split("FOR UPDATE")[-1]
    assert "django_session" in primary_sql and "django_session" not in replica_sql
    assert "regions_staffpost" in primary_sql and "regions_staffpost" not in replica_sql
    # The same figures either way.
    assert _figures(response) == _figures(without)


def _figures(response) -> list[str]:
    import re

    return re.findall(r"\d+(?:\.\d+)?%", response.content.decode())


def test_the_router_keeps_transactions_and_access_rows_on_the_primary(settings):
    from govhall.accounts.models import User
    from govhall.monitoring.models import MonthlyRollup

    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(MonthlyRollup) is None  # no replica configured
    settings.GOVHALL_READ_REPLICA = REPLICA
    assert router.db_for_read(MonthlyRollup) is None  # outside a dashboard
    with replica_reads():
        assert router.db_for_read(MonthlyRollup) == REPLICA
        assert router.db_for_read(User) is None
    assert router.allow_migrate(REPLICA, "monitoring") is False
