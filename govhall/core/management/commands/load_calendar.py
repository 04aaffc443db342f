"""Load statutory holidays: from the chinesecalendar package, or one year from a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import Refusal
from govhall.core.models import CalendarYear
from govhall.core.services import calendar


class Command(BaseCommand):
    help = (
        "载入法定节假日与调休安排。无参数时从chinesecalendar软件包载入其已知的全部年份；"
        "--year 与 --file 一起使用时，从文件载入某一年（每行：日期 类别 名称，"
        "类别为 holiday 或 workday）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="要载入的年份")
        parser.add_argument("--file", type=Path, help="该年的安排文件（UTF-8文本或CSV）")
        parser.add_argument("--notice", default="", help="依据文件名称，如国务院办公厅通知")

    def handle(self, *args, year=None, file=None, notice="", **options):
        if file is None:
            try:
                loaded = calendar.load_years_from_package([year] if year else None)
            except Refusal as exc:
                raise CommandError(f"未载入：{exc.message}") from None
            known = sorted(CalendarYear.objects.values_list("year", flat=True))
            self.stdout.write(
                f"已从软件包载入{len(loaded)}个年度；已知年度 {known[0]}–{known[-1]}。"
                if known
                else "没有载入任何年度。"
            )
            return
        if not year:
            raise CommandError("使用 --file 时必须同时提供 --year。")
        try:
            # utf-8-sig: files saved from spreadsheets start with a byte-order mark.
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"未载入：找不到文件 {file}。") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"未载入：无法以UTF-8读取文件 {file}（{exc}）。") from None
        try:
            entries = calendar.parse_day_lines(text)
            calendar.load_year(year, entries, source=CalendarYear.Source.FILE, notice=notice)
        except Refusal as exc:
            raise CommandError(f"未载入：{exc.message}") from None
        holidays = sum(e.kind == "holiday" for e in entries)
        self.stdout.write(
            f"已载入{year}年：{holidays}个法定节假日，{len(entries) - holidays}个调休上班日。"
        )
