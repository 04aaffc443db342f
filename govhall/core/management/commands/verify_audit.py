from django.core.management.base import BaseCommand, CommandError

from govhall.core.models import AuditEntry
from govhall.core.services import checkpoints
from govhall.core.services.audit import verify_chain


class Command(BaseCommand):
    help = (
        "验证审计日志哈希链，并与库外的签名检查点核对：被修改、删除、截短或重新计算哈希的"
        "条目，以及缺失的链头都会被指出。"
    )

    def handle(self, *args, **options):
        problems = list(verify_chain())
        total = AuditEntry.objects.count()
        if problems:
            for problem in problems:
                where = f"id={problem.entry_id}" if problem.entry_id else "缺失条目"
                self.stderr.write(f"✗ 第{problem.sequence}条（{where}）：{problem.message}")
            raise CommandError(f"审计链验证失败：发现{len(problems)}处问题（共{total}条）。")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：{total}条记录全部验证通过。"))
        last = checkpoints.latest()
        if last is None:
            self.stdout.write(
                f"注意：尚无签名检查点（{checkpoints.path()}），截短和重链无法发现；"
                "请运行 manage.py audit_checkpoint 并启用定时任务 audit_checkpoint。"
            )
        else:
            self.stdout.write(f"与签名检查点一致：最近检查点在第{last.sequence}条（{last.at}）。")
