"""The planner statistic ``cases.0004`` set on the process records (PostgreSQL only), kept
when the table moved to this app."""

import pytest
from django.db import connection

from govhall.records.models import ProcessRecord

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner statistic")
def test_the_case_number_column_carries_its_distinct_ratio():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attoptions FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = 'case_number'",
            [ProcessRecord._meta.db_table],
        )
        (options,) = cursor.fetchone()
    assert "n_distinct=-0.16" in options
