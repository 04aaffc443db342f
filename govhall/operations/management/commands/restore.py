"""``manage.py restore BUNDLE``: restore into an empty database and media root, then check
the result in a fresh process (``verify_restore``), which reads the restored keys."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govhall.operations.services import backup


class Command(BaseCommand):
    help = (
        "从备份包恢复到空数据库和空的媒体目录，"
        "然后逐项核对（行数、审计链、证照签名、文件、加密信息）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="manage.py backup 写的备份包")
        parser.add_argument("--no-verify", action="store_true", help="恢复后不核对")

    def handle(self, *args, bundle, no_verify=False, **options):
        path = Path(bundle)
        try:
            manifest, keys = backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已恢复 {manifest.data['created_at']} 的备份：{len(manifest.tables)}张表，"
            f"文件{manifest.data['media']['files']}个。"
        )
        if keys:
            self.stdout.write(f"密钥文件已写入 {settings.VAR_DIR}：{'、'.join(keys)}")
            if backup.RESTORED_ENV_FILE in keys:
                self.stdout.write(
                    f"{backup.RESTORED_ENV_FILE} 中是备份时由环境变量提供的密钥："
                    "请放回密钥管理处/环境文件后删除它。"
                )
        if no_verify:
            return
        done = subprocess.run(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "verify_restore",
                str(path),
            ],
            check=False,
        )
        if done.returncode != 0:
            raise CommandError("恢复后的核对未通过（见上）。")
