"""``manage.py backup``: one encrypted bundle of the database, the media files and (sealed
separately) the key files; see govhall/operations/services/backup.py and docs/deployment.md."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.operations.services import backup


class Command(BaseCommand):
    help = "备份：数据库、上传的文件和（单独加密的）密钥文件写入一个加密的备份包。"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份包路径（默认 GOVHALL_BACKUP_DIR 下按时间命名）")
        parser.add_argument(
            "--keep-days", type=int, help="同时删除备份目录中早于这么多天的备份包（保留策略）"
        )

    def handle(self, *args, output=None, keep_days=None, **options):
        try:
            path, manifest = backup.backup(Path(output) if output else None)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        data = manifest.data
        rows = sum(data["tables"].values())
        keys = (
            f"密钥文件已单独加密放入备份（{'、'.join(data['keys']['files'])}）"
            if data["keys"]["included"]
            else "密钥未放入备份（未设置 GOVHALL_BACKUP_KEYS_KEY）：请确认密钥另有保管"
        )
        self.stdout.write(
            f"备份完成：{path}（{data['database']['vendor']}，{len(data['tables'])}张表共{rows}行，"
            f"文件{data['media']['files']}个）。{keys}。"
        )
        if keep_days is not None:
            removed = backup.prune(keep_days, path.parent)
            self.stdout.write(f"按保留策略删除了{len(removed)}个早于{keep_days}天的备份包。")
