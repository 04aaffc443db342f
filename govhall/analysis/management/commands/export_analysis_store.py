"""``manage.py export_analysis_store``: the incremental export, now (the job's work)."""

from django.core.management.base import BaseCommand

from govhall.analysis.services import export


class Command(BaseCommand):
    help = "把新的办件过程信息和办件统计事实增量导出到分析库（Parquet）"

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=export.CHUNK, help="每批导出的记录数")

    def handle(self, *args, **options):
        result = export.export(chunk=options["chunk"])
        self.stdout.write(
            f"导出办件过程信息 {result.records} 条，办件统计事实 {result.cases} 条"
            f"（{result.case_partitions} 个分区）"
        )
