"""``manage.py archive_record_month 2025-01 [--drop]``: export, verify, detach a month."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from govhall.analysis.services import archive
from govhall.core.errors import Refusal


class Command(BaseCommand):
    help = "把一个月的办件过程信息导出到分析库、核对条数后从数据库分离（可删除）"

    def add_arguments(self, parser):
        parser.add_argument("month", help="月份，YYYY-MM")
        parser.add_argument(
            "--drop", action="store_true", help="分离后删除该月分区（默认保留为归档表）"
        )

    def handle(self, *args, **options):
        try:
            month = datetime.datetime.strptime(options["month"], "%Y-%m").date()
        except ValueError as error:
            raise CommandError("月份格式应为 YYYY-MM") from error
        try:
            result = archive.archive_month(month, drop=options["drop"])
        except Refusal as error:
            raise CommandError(str(error)) from error
        where = f"保留为 {result.kept_as}" if result.kept_as else "已删除"
        self.stdout.write(
            f"{result.month:%Y-%m}：{result.rows} 条已归档到分析库并核对一致，分区{where}"
        )
