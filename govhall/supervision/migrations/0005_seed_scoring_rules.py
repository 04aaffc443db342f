from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    from govhall.supervision.services.scoring import BASIS, SEED

    ScoringRule = apps.get_model("supervision", "ScoringRule")
    for indicator, weight, kind, red, yellow in SEED:
        ScoringRule.objects.get_or_create(
            indicator=indicator,
            region_code="",
            version=1,
            defaults={
                "weight": Decimal(weight),
                "kind": kind,
                "points_per_red": Decimal(red),
                "points_per_yellow": Decimal(yellow),
                "basis": BASIS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_scoring_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
