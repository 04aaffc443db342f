"""The indexes of the columns most rows leave empty are partial (``IS NOT NULL``): a row
without a value writes no entry, yet a lookup by a value — ``= x``, ``IN (…)``, the
foreign keys' protection checks — still reads the index. Both databases must see that
the lookup implies the index's condition, or the lookup becomes a scan of the table."""

import pytest
from django.db import connection

from ..models import Case, CaseStep

pytestmark = pytest.mark.django_db

PARTIAL = [
    (Case, "accepting_department_id", "case_accepting_department"),
    (Case, "accepting_hall_id", "case_accepting_hall"),
    (Case, "bundle_case_id", "case_bundle_case"),
    (Case, "channel_client_id", "case_channel_client"),
    (Case, "company_id", "case_company_recent"),
    (CaseStep, "handler_id", "casestep_handler"),
]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: scan otherwise
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(" ".join(str(v) for v in row) for row in cursor.fetchall())


@pytest.mark.parametrize(("model", "column", "index"), PARTIAL)
def test_a_lookup_by_value_reads_the_partial_index(model, column, index):
    definition = next(i for i in model._meta.indexes if i.name == index)
    assert definition.condition is not None  # partial: a NULL writes no entry
    table = model._meta.db_table
    for condition in (f"{column} = 7", f"{column} IN (7, 8)"):
        found = plan(f"SELECT id FROM {table} WHERE {condition}")
        assert index in found, found
