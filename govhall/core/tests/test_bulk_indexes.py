"""``bulk.secondary_indexes``: what a bulk load may drop and build again (PostgreSQL)."""

import pytest
from django.db import connection

from govhall.core.services import bulk
from govhall.records.models import ProcessRecord

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads pg_indexes")
def test_only_indexes_no_constraint_needs_are_listed():
    found = dict(bulk.secondary_indexes([ProcessRecord._meta.db_table]))
    assert {"record_case_number", "record_region_time", "record_conclusions"} <= set(found)
    assert "WHERE" in found["record_conclusions"]  # the definition rebuilds it as it was
    assert not any(name.endswith("_pkey") or "record_id" in name for name in found)
