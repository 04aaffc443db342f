"""Leave a fifth of each case page free, so PostgreSQL can update a case in place.

The deadline scan's first run after midnight moves every suspended clock: about one
open case in seven gets new due dates. None of those columns is indexed, so each update
could be a heap-only tuple (HOT) — written beside the old version on the same page,
with no entry in any of the case table's nine indexes — but only if the page has room.
At the default fill factor of 100 it never has, and every moved clock costs a new
entry in every index. 80 gives the room; the table grows by a quarter.

PostgreSQL applies a fill factor to pages written after it is set: an existing table
takes it at its next rewrite (``VACUUM FULL cases_case``, or pg_repack on a live hall).
Nothing happens on SQLite.
"""

from django.db import migrations

FILLFACTOR = 80


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE cases_case SET (fillfactor = {FILLFACTOR})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE cases_case RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_merge_second_wave")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
