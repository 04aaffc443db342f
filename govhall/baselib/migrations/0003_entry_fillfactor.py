"""Leave a fifth of each base-library page free, so an update rewrites a row in place.

A source's update batch changes a few attributes of persons or companies drawn from the
whole library. An entry is one row of about 1.4 KB (its current values as JSON), five to
a page; at the default fill factor of 100 the pages are full, so every changed row moves
to another page and takes a new entry in both unique indexes (1.2 GB for 10,000,000
persons), read and written at random. With room for one more version on the page the
update is heap-only (HOT): no index entry, and the page is already the one read. The
tables grow by a quarter.

PostgreSQL applies a fill factor to pages written after it is set: rows loaded later
(the generator's ``COPY`` too) get the room, an existing table at its next rewrite
(``VACUUM FULL baselib_populationentry``, or pg_repack on a live hall). Nothing happens
on SQLite.
"""

from django.db import migrations

FILLFACTOR = 80
TABLES = ("baselib_populationentry", "baselib_legalpersonentry")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("baselib", "0002_single_key_index_lean_history")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
