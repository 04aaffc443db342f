"""manage.py export_archive --department CREDIT_CODE --from YYYY-MM-DD --to YYYY-MM-DD
--out FILE.zip"""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from govhall.core import context
from govhall.licences.services import archive
from govhall.regions.models import Department


def _date(value: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{label}”须为日期（YYYY-MM-DD）：{value}") from None


class Command(BaseCommand):
    help = "电子文件归档：导出一个部门在期间内办结的办件及其电子证照（ZIP，含清单与校验值）。"

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="部门统一社会信用代码")
        parser.add_argument("--from", dest="date_from", required=True, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="结束日期 YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="写出的 ZIP 文件")

    def handle(self, *args, **options):
        code = options["department"].strip().upper()
        department = Department.objects.filter(credit_code=code).first()
        if department is None:
            raise CommandError(f"统一社会信用代码为“{code}”的部门不存在。")
        date_from = _date(options["date_from"], "开始日期")
        date_to = _date(options["date_to"], "结束日期")
        out = Path(options["out"])
        partial = out.with_name(out.name + ".part")
        try:
            with context.acting(label="system:export_archive"):
                result = archive.export_archive(department, date_from, date_to, None, partial)
        except ValidationError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError("；".join(exc.messages)) from None
        partial.replace(out)
        self.stdout.write(
            f"已导出归档包 {out}（{result.package_id}）：办件 {result.cases}，"
            f"电子证照 {result.licences}，文件 {result.files}。"
        )
