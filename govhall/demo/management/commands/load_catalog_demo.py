"""Load the demo catalogue: 65 themes, 300+ items, life events, bundles, scenarios.

Idempotent (run it again and nothing changes); needs the reference data of
``load_reference_data`` (regions and departments) first.
"""

from django.core.management.base import BaseCommand, CommandError

from govhall.demo.catalog.loader import load_demo
from govhall.regions.models import Department


class Command(BaseCommand):
    help = "载入演示事项目录（服务主题、事项、人生事件、一件事、情形引导），可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            nargs="*",
            metavar="KEY",
            help="只载入这些事项模板（按模板键，如 company-registration）及其主项。",
        )
        parser.add_argument(
            "--regions", nargs="*", metavar="CODE", help="只载入这些区划的实施事项。"
        )

    def handle(self, *args, only=None, regions=None, **options):
        if not Department.objects.exists():
            raise CommandError("尚未载入部门名录：请先运行 manage.py load_reference_data。")
        report = load_demo(keys=only, regions=regions)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("演示事项目录已载入。"))
