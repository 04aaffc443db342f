from django.db import migrations


def seed(apps, schema_editor):
    from govhall.supervision.services.rules import SEED

    Rule = apps.get_model("supervision", "Rule")
    for values in SEED:
        Rule.objects.get_or_create(
            code=values["code"], region_code="", version=1, defaults=dict(values)
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
