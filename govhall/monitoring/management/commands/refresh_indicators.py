from django.core.management.base import BaseCommand

from govhall.monitoring.services import refresh


class Command(BaseCommand):
    help = "把新的办件过程信息汇总进监测指标（增量）；--rebuild 从头重算。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="清空汇总后从头重算")

    def handle(self, *args, **options):
        folded = refresh.rebuild() if options["rebuild"] else refresh.refresh()
        self.stdout.write(f"已汇总{folded}条过程信息。")
