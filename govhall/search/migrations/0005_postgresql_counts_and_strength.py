"""PostgreSQL: the index generation (a statement-level trigger moves it on), so that
counts of matches are remembered there as on SQLite, and GIN indexes on the words of
the name and of name and aliases, the strength buckets of the ranking
(``engine._PostgreSQL``). Nothing changes on SQLite."""

from django.db import migrations


def create(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.create_generation(schema_editor, vendors=("postgresql",))
    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.POSTGRES_STRENGTH_CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    from govhall.search import fulltext

    if schema_editor.connection.vendor == "postgresql":
        for sql in fulltext.POSTGRES_STRENGTH_DROP:
            schema_editor.execute(sql)
    fulltext.drop_generation(schema_editor, vendors=("postgresql",))


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_index_generation"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
