"""Tell PostgreSQL's planner how many distinct case numbers the process records hold.

A case writes its records one after another (申办, 受理, the steps, 办结 …: about six), so
they sit in neighbouring blocks and ``ANALYZE``'s block sample sees each number several
times: on 10 M records it estimated 60,141 distinct numbers where there are 1.75 M. With
that estimate, joining a month's conclusions back to their cases' records is planned as a
scan of the whole table (docs/monitoring.md, "Benchmark"). A negative ``n_distinct`` is a
ratio to the row count, so it stays right as the table grows: -0.16 is one case per
six-odd records. Nothing happens on SQLite, which keeps no such statistic.
"""

from django.db import migrations

RATIO = -0.16


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE cases_processrecord ALTER COLUMN case_number SET (n_distinct = {RATIO})"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE cases_processrecord ALTER COLUMN case_number RESET (n_distinct)"
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_record_columns")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
