"""PostgreSQL: a short pending list on each GIN index of the search documents, so that
a lookup after writes does not read through up to 4 MB of unmerged entries
(``fulltext.POSTGRES_GIN_BOUND``). Nothing changes on SQLite."""

from django.db import migrations


def bound(apps, schema_editor):
    from govhall.search import fulltext

    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.POSTGRES_GIN_BOUND:
            schema_editor.execute(sql)


def unbound(apps, schema_editor):
    from govhall.search import fulltext

    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.POSTGRES_GIN_UNBOUND:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_postgresql_name_facets"),
    ]

    operations = [
        migrations.RunPython(bound, unbound),
    ]
