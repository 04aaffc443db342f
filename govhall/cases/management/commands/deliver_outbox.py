from django.core.management.base import BaseCommand

from govhall.cases.services import outbox


class Command(BaseCommand):
    help = "把办件过程信息发送到 GOVHALL_EXCHANGE_URL（未配置时标记为本地已送达）。"

    def handle(self, *args, **options):
        self.stdout.write(f"已送达{outbox.deliver_pending()}条过程信息。")
