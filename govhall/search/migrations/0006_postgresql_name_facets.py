"""PostgreSQL: a GIN index on the words of the name with the filter tokens, so that a
region tier of the name bucket is one index lookup (``engine._PostgreSQL``; 97 MiB at
1,000,000 items). Nothing changes on SQLite."""

from django.db import migrations


def create(apps, schema_editor):
    from govhall.search import fulltext

    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.POSTGRES_NAME_FACETS_CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    from govhall.search import fulltext

    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.POSTGRES_NAME_FACETS_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_postgresql_counts_and_strength"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
