"""The case numbers' distinct-count ratio on a partitioned record table's parent.

A partitioned parent's statistics are gathered over all its partitions and read the
column's ``n_distinct_inherited`` option; ``records.0002`` set only ``n_distinct``, which
the parent ignores. Here on a database partitioned already (new conversions set both,
``partitions.set_parent_statistics``); nothing on a flat table or on SQLite.
"""

from django.db import migrations

from govhall.records.services import partitions


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if partitions.is_partitioned(cursor):
            partitions.set_parent_statistics(cursor)


class Migration(migrations.Migration):
    dependencies = [("records", "0003_merge_third_wave")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
