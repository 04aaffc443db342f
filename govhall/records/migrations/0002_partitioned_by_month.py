"""Partition the process records by month on PostgreSQL, where the deployment asks for it.

The layout change is ``records.services.partitions.partition`` (and ``unpartition``
backwards); it runs here only on PostgreSQL with ``GOVHALL_RECORDS_PARTITIONED=1``. A
deployment that migrated without it converts later with ``manage.py partition_records``
(and back with ``--undo``). Django's model state does not change either way. Why it is
not the default yet: docs/performance.md (lookups by case number probe every month).
"""

from django.conf import settings
from django.db import migrations

from govhall.records.services import partitions


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and settings.GOVHALL_RECORDS_PARTITIONED:
        with schema_editor.connection.cursor() as cursor:
            partitions.partition(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            partitions.unpartition(cursor)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
