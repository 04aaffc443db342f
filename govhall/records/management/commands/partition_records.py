"""``manage.py partition_records [--undo]``: turn the process-record table into monthly
partitions (PostgreSQL), or back into one table; one transaction, the table locked."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from govhall.core.models import AuditEntry
from govhall.core.services import audit
from govhall.records.services import partitions


class Command(BaseCommand):
    help = "办件过程信息表按月分区（PostgreSQL），--undo 恢复为单表。"

    def add_arguments(self, parser):
        parser.add_argument("--undo", action="store_true", help="恢复为单表")

    def handle(self, *args, undo=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("只有 PostgreSQL 上的过程信息表可以分区；SQLite 保持单表。")
        with transaction.atomic(), connection.cursor() as cursor:
            changed = (partitions.unpartition if undo else partitions.partition)(cursor)
            if changed:
                audit.record(
                    AuditEntry.Action.OTHER,
                    object_type="records.processrecord",
                    object_id=partitions.TABLE,
                    reason="过程信息表恢复为单表" if undo else "过程信息表按月分区",
                )
        layout = "单表" if undo else "按月分区"
        self.stdout.write(f"过程信息表{'已改为' if changed else '本来就是'}{layout}。")
