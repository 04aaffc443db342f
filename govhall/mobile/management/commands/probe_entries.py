"""Run the entry probe once, now (what the ``probe_mobile_entries`` job runs), and print
the run time and every failure."""

from django.core.management.base import BaseCommand

from govhall.mobile.models import MobileEntry, ProbeResult
from govhall.mobile.services import probe


class Command(BaseCommand):
    help = "立即检测全部移动端入口（定期检测的同一次运行），输出用时和失败项。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--base",
            default="",
            help="大厅地址（默认 GOVHALL_PROBE_BASE_URL 或 GOVHALL_PUBLIC_URL）",
        )

    def handle(self, *args, **options):
        summary = probe.run(options["base"] or None)
        kinds = {}
        for entry in MobileEntry.objects.filter(is_active=True):
            kinds[entry.get_kind_display()] = kinds.get(entry.get_kind_display(), 0) + 1
        self.stdout.write(
            f"检测入口{summary.checked}个（"
            + "、".join(f"{k}{n}" for k, n in sorted(kinds.items()))
            + f"），失败{summary.failed}个，新告警{summary.alerts}条，用时{summary.seconds}秒"
        )
        latest = ProbeResult.objects.order_by("-checked_at")[: summary.checked]
        for result in latest:
            if not result.ok:
                self.stdout.write(f"  ✕ {result.entry.code} {result.entry.path}：{result.error}")
