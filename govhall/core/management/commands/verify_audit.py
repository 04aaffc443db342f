from django.core.management.base import BaseCommand, CommandError

from govhall.core.models import AuditEntry
from govhall.core.services.audit import verify_chain


class Command(BaseCommand):
    help = "验证审计日志哈希链：任何被修改或删除的条目都会被指出。"

    def handle(self, *args, **options):
        problems = list(verify_chain())
        total = AuditEntry.objects.count()
        if problems:
            for problem in problems:
                where = f"id={problem.entry_id}" if problem.entry_id else "缺失条目"
                self.stderr.write(f"✗ 第{problem.sequence}条（{where}）：{problem.message}")
            raise CommandError(f"审计链验证失败：发现{len(problems)}处问题（共{total}条）。")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：{total}条记录全部验证通过。"))
