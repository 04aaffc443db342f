"""PostgreSQL: the documents' vectors again in a narrow table, kept in the row, for
``ts_rank`` (``fulltext.RANKING_TABLE``), kept in step by triggers on the document
table and filled from its rows, then vacuumed (the first reads of a million fresh rows
would otherwise each dirty their page to set its hint bits). Nothing changes on SQLite
(FTS5 ranks from its own index)."""

from django.db import migrations


def create(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.create_ranking(schema_editor)


def drop(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.drop_ranking(schema_editor)


def vacuum(apps, schema_editor):
    from govhall.search import fulltext

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"VACUUM ANALYZE {fulltext.RANKING_TABLE}")


class Migration(migrations.Migration):
    atomic = False  # VACUUM runs outside a transaction; the table is made inside one

    dependencies = [
        ("search", "0007_postgresql_gin_pending_lists"),
    ]

    operations = [
        migrations.RunPython(create, drop, atomic=True),
        migrations.RunPython(vacuum, migrations.RunPython.noop),
    ]
