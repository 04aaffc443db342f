from django.core.management.base import BaseCommand

from govhall.cases.services import deadlines


class Command(BaseCommand):
    help = "移动暂停中的期限、提醒即将到期的环节、办结复核期已过的秒批办件。"

    def handle(self, *args, **options):
        report = deadlines.scan()
        self.stdout.write(
            f"重新计算{report.recomputed}件，提醒{report.reminded}个环节，"
            f"办结{report.concluded}件，重发消息{report.resent}条。"
        )
