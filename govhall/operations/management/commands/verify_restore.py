"""``manage.py verify_restore BUNDLE``: check a restored installation against the bundle's
manifest — the restore drill's checks, also for a restore made by hand."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.operations.services import backup


class Command(BaseCommand):
    help = "核对恢复结果：每张表的行数、审计链、每个证照签名、每个文件、每个加密值、密钥指纹。"

    def add_arguments(self, parser):
        parser.add_argument("bundle")

    def handle(self, *args, bundle, **options):
        try:
            manifest = backup.read_manifest(Path(bundle))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        checks = backup.verify(manifest)
        for check in checks:
            mark = self.style.SUCCESS("✓") if check.ok else self.style.ERROR("✗")
            self.stdout.write(f"{mark} {check.name}：{check.detail}")
        failed = [c.name for c in checks if not c.ok]
        if failed:
            raise CommandError(f"核对未通过：{'、'.join(failed)}")
        self.stdout.write(self.style.SUCCESS("恢复核对全部通过。"))
