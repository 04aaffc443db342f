"""The planner statistic migration 0004 sets on the process records (PostgreSQL only)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner statistic")
def test_the_case_number_column_carries_its_distinct_ratio():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attoptions FROM pg_attribute "
            "WHERE attrelid = 'cases_processrecord'::regclass AND attname = 'case_number'"
        )
        (options,) = cursor.fetchone()
    assert "n_distinct=-0.16" in options
