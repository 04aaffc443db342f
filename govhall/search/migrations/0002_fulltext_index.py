"""The full-text index: FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL.

The DDL differs by vendor, so it lives in ``govhall.search.fulltext`` and runs here
through RunPython (RunSQL cannot branch on the database in use). The synonym table is
seeded from ``data/synonyms.txt``.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.create(schema_editor)


def drop_index(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.drop(schema_editor)


def seed_synonyms(apps, schema_editor):
    from govhall.search.synonyms import read_synonym_file

    SynonymGroup = apps.get_model("search", "SynonymGroup")
    for terms, note in read_synonym_file():
        SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(seed_synonyms, migrations.RunPython.noop),
    ]
