"""manage.py import_legacy_accounts FILE --source NAME [--dry-run] [--report OUT.csv]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.accounts.services import legacy


class Command(BaseCommand):
    help = "从旧系统的CSV导入账号，按身份证号码合并，输出冲突报告（docs/identity.md）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV：id_number,name,mobile,password_hash")
        parser.add_argument("--source", required=True, help="来源系统名称")
        parser.add_argument("--dry-run", action="store_true", help="只试算报告，不写入")
        parser.add_argument("--report", help="把冲突与错误报告写成CSV文件")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            batch, report = legacy.import_accounts(
                path.read_bytes(),
                source_system=options["source"],
                file_name=path.name,
                dry_run=options["dry_run"],
            )
        except legacy.ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if options["report"]:
            Path(options["report"]).write_text(report.as_csv(), encoding="utf-8-sig")
        mode = "试算" if batch is None else f"导入批次 {batch.pk}"
        self.stdout.write(
            f"{mode}：数据行 {report.total_rows}，新建 {report.created}，合并 {report.merged}，"
            f"重复行 {report.duplicates}，冲突 {report.conflicts}，错误行 {report.errors}。"
        )
        for code, count in sorted(report.by_code().items()):
            self.stdout.write(f"  {code}: {count}")
