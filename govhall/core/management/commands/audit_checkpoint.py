from django.core.management.base import BaseCommand

from govhall.core.services import checkpoints


class Command(BaseCommand):
    help = "用平台SM2根密钥签名审计链头（序号和哈希），追加到库外的检查点文件。"

    def handle(self, *args, **options):
        point, written = checkpoints.write()
        where = checkpoints.path()
        if written:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已写入审计检查点：第{point.sequence}条，哈希{point.entry_hash[:16]}…（{where}）。"
                )
            )
        else:
            self.stdout.write(f"链头未变化（第{point.sequence}条），最近检查点仍有效（{where}）。")
