"""Re-derive the search index from the published catalogue (after a dictionary change,
a restore, or to repair an index that missed a publish)."""

from django.core.management.base import BaseCommand

from govhall.search.engine import rebuild_index
from govhall.search.synonyms import load_synonyms


class Command(BaseCommand):
    help = "重建事项检索索引（并补充同义词表中缺少的同义词组）。"

    def handle(self, *args, **options):
        added = load_synonyms()
        report = rebuild_index()
        self.stdout.write(
            self.style.SUCCESS(
                f"已索引事项 {report.documents} 个，名称词 {report.terms} 个；"
                f"新增同义词组 {added} 个。"
            )
        )
