from django.core.management.base import BaseCommand

from govhall.monitoring.services import targets


class Command(BaseCommand):
    help = "从各级工作方案载入“三率一数”等指标目标（已修改的目标保留不变）。"

    def handle(self, *args, **options):
        self.stdout.write(f"新增{targets.load_seed_targets()}条指标目标。")
