"""``manage.py run_scheduler``: the process that runs every registered periodic job."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError

from govhall.operations import registry
from govhall.operations.services.scheduler import Scheduler


class Command(BaseCommand):
    help = (
        "运行定时任务调度进程（期限扫描、过程信息报送、指标汇总、证照到期等）。"
        "可同时运行多个实例：每个任务每个计划时间只运行一次。收到 SIGTERM 后在当前任务结束时退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一次到期的任务，然后退出")
        parser.add_argument("--job", action="append", help="只调度这些任务（可重复）")
        parser.add_argument("--poll", type=float, default=5.0, help="最长的检查间隔秒数（默认5）")
        parser.add_argument("--list", action="store_true", help="列出已登记的任务")

    def handle(self, *args, once=False, job=None, poll=5.0, list=False, **options):
        known = registry.jobs()
        if list:
            for name, entry in known.items():
                self.stdout.write(f"{name}\t{entry.schedule}\t{entry.description}")
            return
        unknown = sorted(set(job or ()) - set(known))
        if unknown:
            raise CommandError(f"未登记的任务：{'、'.join(unknown)}（--list 查看已登记的任务）")
        if poll <= 0:
            raise CommandError("--poll 必须大于0。")
        scheduler = Scheduler(names=job, poll=poll)
        scheduler.start()
        self.stdout.write(f"调度进程 {scheduler.instance} 已启动：{'、'.join(scheduler.jobs)}")
        self.stdout.flush()
        previous = {
            sig: signal.signal(sig, lambda signum, frame: scheduler.stop())
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            if once:
                runs = scheduler.tick()
                for run in runs:
                    self.stdout.write(f"{run.job}: {run.get_outcome_display()} {run.summary}")
            else:
                scheduler.serve()
        finally:
            scheduler.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("调度进程已停止。")
