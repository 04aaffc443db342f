"""``manage.py assistant_reindex``: build the clauses of published versions that lack them."""

from django.core.management.base import BaseCommand

from govhall.assistant.services import clauses


class Command(BaseCommand):
    help = "为尚无条款的已发布办事指南版本生成知识库条款（升级或修复时使用）。"

    def handle(self, *args, **options):
        self.stdout.write(f"新建条款 {clauses.reindex_all()} 条。")
