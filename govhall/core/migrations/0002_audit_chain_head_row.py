"""Create the audit chain's head row up front.

``audit.record()`` locks this row to serialise appends; creating it here means two
first-ever appends cannot race to insert it (``record()`` still creates it if a
database flush removed it).
"""

from django.db import migrations

GENESIS_HASH = "0" * 64


def create_head(apps, schema_editor):
    head_model = apps.get_model("core", "AuditChainHead")
    entry_model = apps.get_model("core", "AuditEntry")
    if head_model.objects.filter(pk=1).exists():
        return
    last = entry_model.objects.order_by("-sequence").first()
    head_model.objects.create(
        pk=1,
        sequence=last.sequence if last else 0,
        entry_hash=last.entry_hash if last else GENESIS_HASH,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
