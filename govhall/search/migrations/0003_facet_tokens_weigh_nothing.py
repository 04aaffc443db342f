"""Give the facet-token column of the SQLite full-text index the BM25 weight 0.

The rank function set by 0002 listed five weights for six columns, so the facet tokens
(region, department, theme, type, audience), meant only to filter, weighed 1: every
filter and region-tier term of a query added to the score of the rows it matched.
"""

from django.db import migrations


def facets_weigh_nothing(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.set_rank(schema_editor, fulltext.RANK)


def facets_weigh_one(apps, schema_editor):
    from govhall.search import fulltext

    fulltext.set_rank(schema_editor, fulltext.RANK_BEFORE_0003)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext_index"),
    ]

    operations = [
        migrations.RunPython(facets_weigh_nothing, facets_weigh_one),
    ]
