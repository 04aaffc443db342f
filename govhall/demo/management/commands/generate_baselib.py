"""Generate the base libraries for the benchmark (``manage.py generate_baselib``).

See ``govhall.demo.generators.baselib``: ``--persons`` persons (10,000,000 by default)
and ``--companies`` companies (1,000,000), written with COPY on PostgreSQL.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from govhall.demo.generators import baselib as generator


class Command(BaseCommand):
    help = "生成人口库和法人库的基准测试数据（默认1000万人、100万户法人，仅PostgreSQL）。"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=10_000_000, help="人口库条数")
        parser.add_argument("--companies", type=int, default=1_000_000, help="法人库条数")
        parser.add_argument("--start", type=int, default=0, help="起始编号（追加生成时使用）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("生成基础库数据使用 COPY，仅支持 PostgreSQL。")
        if options["persons"] < 0 or options["companies"] < 0 or options["start"] < 0:
            raise CommandError("--persons、--companies 和 --start 不能为负数。")
        verbosity = options.get("verbosity", 1)

        def progress(table: str, done: int, seconds: float) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {table}: {done:,} 条，{done / seconds:,.0f} 条/秒")

        report = generator.generate(
            options["persons"],
            options["companies"],
            start=options["start"],
            seed=options["seed"],
            progress=progress,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"生成人口库 {report.persons:,} 条、法人库 {report.companies:,} 条，"
                f"用时 {report.seconds:,.1f} 秒。"
            )
        )
