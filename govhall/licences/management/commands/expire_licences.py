"""Daily: licences past their validity get a signed expiry version (到期失效)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from govhall.core import context
from govhall.licences.services import issuing


class Command(BaseCommand):
    help = "为已过有效期的电子证照签发“到期失效”版本（每日运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按该日期判断（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today 须为日期（YYYY-MM-DD）。") from None
        with context.acting(label="system:expire_licences"):
            count = issuing.expire_due(today)
        self.stdout.write(f"到期失效证照：{count}本。")
