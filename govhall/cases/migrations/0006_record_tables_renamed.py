"""Process records and their outbox move to the ``records`` app (step 1 of 3).

The tables take the new app's names here, with their rows and indexes; the models then
appear in ``records.0001_initial`` and leave this app's state in ``0007``. Nothing is
copied: a rename is instant on PostgreSQL and SQLite whatever the row count.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_record_conclusions")]

    operations = [
        migrations.AlterModelTable(name="outboxmessage", table="records_outboxmessage"),
        migrations.AlterModelTable(name="processrecord", table="records_processrecord"),
    ]
