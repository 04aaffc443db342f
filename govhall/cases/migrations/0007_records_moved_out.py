"""Process records and their outbox now belong to the ``records`` app (step 3 of 3):
they leave this app's state; their tables (already renamed) stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_record_tables_renamed"),
        ("records", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OutboxMessage"),
                migrations.DeleteModel(name="ProcessRecord"),
            ],
            database_operations=[],
        )
    ]
