"""SQLite: the index generation, moved on by every change of an index row (triggers).

Counts of matches are remembered per generation (``engine._remembered_count``): a
repeated query is not counted again until the index changes.
"""

from django.db import migrations


def create_generation(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.create_generation(schema_editor)


def drop_generation(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.drop_generation(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_facet_tokens_weigh_nothing"),
    ]

    operations = [
        migrations.RunPython(create_generation, drop_generation),
    ]
