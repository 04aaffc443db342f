"""Generate process records for benchmarks and the demo (``manage.py generate_process_records``).

See ``govhall.demo.generators.records``: ``--records`` records (10,000,000 by
default) over ``--months`` months of the prefecture-level cities, written with COPY on
PostgreSQL; ``--demo`` writes the demo's small set instead. ``--refresh`` folds them into
the monitoring roll-ups afterwards.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from govhall.demo.generators import records as generator
from govhall.monitoring.services import refresh


def month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError("--end-month 的格式为 YYYY-MM，如 2026-10。") from exc


class Command(BaseCommand):
    help = (
        "生成办件过程信息（默认1000万条、24个月、21个地级以上市）用于性能基准测试；"
        "--demo 生成演示数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=10_000_000, help="生成条数")
        parser.add_argument("--months", type=int, default=24, help="覆盖的月数")
        parser.add_argument("--end-month", type=month, help="最后一个月（YYYY-MM，默认本月）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument(
            "--cities", type=int, default=21, help="地级以上市个数（按区划代码取前N个）"
        )
        parser.add_argument("--source", default="bench", help="来源标记（默认 bench）")
        parser.add_argument("--batch", type=int, default=generator.BATCH, help="每批写入条数")
        parser.add_argument("--demo", action="store_true", help="生成演示数据（约2万条、近12个月）")
        parser.add_argument("--refresh", action="store_true", help="生成后汇总进监测指标")

    def handle(self, *args, **options):
        if options["demo"]:
            made = generator.load_demo(refresh_rollups=options["refresh"])
            if made:
                self.stdout.write(self.style.SUCCESS(f"演示过程信息：新建{made}条。"))
            else:
                self.stdout.write("演示过程信息已存在，未重复生成。")
            return
        records, months = options["records"], options["months"]
        if records < 1 or months < 1 or options["batch"] < 1:
            raise CommandError("--records、--months 和 --batch 必须是正整数。")
        if not 1 <= options["cities"] <= 21:
            raise CommandError("--cities 须在1到21之间。")
        verbosity = options.get("verbosity", 1)

        def progress(done: int, seconds: float) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {done:,} 条，{done / seconds:,.0f} 条/秒")

        try:
            report = generator.generate(
                records,
                months=months,
                end_month=options["end_month"],
                seed=options["seed"],
                cities=options["cities"],
                source=options["source"],
                batch=options["batch"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"生成过程信息 {report.records:,} 条（{report.cases:,} 件办件，"
                f"{report.cities} 个市、{report.departments} 个部门），用时 "
                f"{report.seconds:.1f} 秒（{report.rate:,.0f} 条/秒）。"
            )
        )
        if options["refresh"]:
            folded = refresh.refresh()
            self.stdout.write(f"已汇总{folded:,}条过程信息。")
