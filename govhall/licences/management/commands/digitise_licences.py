"""manage.py digitise_licences --type CODE --department CREDIT_CODE FILE.xlsx"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from govhall.core import context
from govhall.licences.models import DigitisationBatch, LicenceType
from govhall.licences.services import digitisation
from govhall.regions.models import Department


class Command(BaseCommand):
    help = "存量证照电子化：按模板批量签发一个部门的纸质证照（全部无误才签发）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="按模板填写的 .xlsx 文件")
        parser.add_argument("--type", required=True, help="证照类型代码（21位）")
        parser.add_argument("--department", required=True, help="签发部门统一社会信用代码")
        parser.add_argument(
            "--template", action="store_true", help="不签发，把该证照类型的空白模板写到 FILE"
        )

    def handle(self, *args, **options):
        licence_type = LicenceType.objects.filter(code=options["type"].strip()).first()
        if licence_type is None:
            raise CommandError(f"证照类型代码“{options['type']}”不存在。")
        path = Path(options["file"])
        if options["template"]:
            path.write_bytes(digitisation.template(licence_type))
            self.stdout.write(f"已写出模板：{path}")
            return
        code = options["department"].strip().upper()
        department = Department.objects.filter(credit_code=code).first()
        if department is None:
            raise CommandError(f"统一社会信用代码为“{code}”的部门不存在。")
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            with context.acting(label="system:digitise_licences"):
                batch = digitisation.digitise(licence_type, department, path, None)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(
            f"批次 {batch.pk}（{batch.get_state_display()}）：数据行 {batch.rows_total}，"
            f"签发 {batch.rows_issued}，已存在跳过 {batch.rows_skipped}，错误 {len(batch.errors)}。"
        )
        if batch.state == DigitisationBatch.State.REFUSED:
            for error in batch.errors:
                where = f"第{error['row']}行 " if error.get("row") else ""
                self.stderr.write(f"  {where}{error['column']}：{error['message']}")
            raise CommandError("文件有错误，未签发任何证照；请更正后重新导入。")
