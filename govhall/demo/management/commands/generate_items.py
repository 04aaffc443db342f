"""Generate many published items for benchmarks (bulk inserts; govhall.demo.generators.items)."""

import time

from django.core.management.base import BaseCommand, CommandError

from govhall.catalog.models import Theme
from govhall.demo.generators.items import clear_generated, generate


class Command(BaseCommand):
    help = "生成大量已发布事项（默认100000个）用于性能基准测试。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100_000, help="生成事项数（默认100000）")
        parser.add_argument("--seed", type=int, default=20170101, help="随机种子，相同种子结果相同")
        parser.add_argument("--clear", action="store_true", help="先删除此前生成的事项")

    def handle(self, *args, count, seed, clear, **options):
        if count <= 0:
            raise CommandError("--count 必须是正整数。")
        if not Theme.objects.exists():
            raise CommandError("尚未载入服务主题：请先运行 manage.py load_catalog_demo。")
        if clear:
            self.stdout.write(f"已删除此前生成的事项 {clear_generated()} 个。")
        started = time.perf_counter()
        try:
            report = generate(count, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"生成事项 {report.items} 个、申请材料 {report.materials} 条、"
                f"检索文档 {report.documents} 条，用时 {seconds:.1f} 秒。"
            )
        )
