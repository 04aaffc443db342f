"""``manage.py deliver_outbox [--loop] [--interval SECONDS]``: push process records to
the parent hall — one pass (cron, systemd timer), or a worker that runs until SIGTERM."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from govhall.exchange.services import outbox


class Command(BaseCommand):
    help = (
        "把办件过程信息报送到上级大厅（GOVHALL_EXCHANGE_URL；未配置时标记为本地已送达）。"
        "默认执行一次；--loop 持续运行，收到 SIGTERM 后在两批之间退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行，直到收到 SIGTERM")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="两次检查之间的秒数（默认30）"
        )
        parser.add_argument(
            "--limit", type=int, default=20 * outbox.BATCH, help="每次最多处理的记录数"
        )

    def handle(self, *args, loop=False, interval=30.0, limit=20 * outbox.BATCH, **options):
        if interval <= 0 or limit <= 0:
            raise CommandError("--interval 和 --limit 必须大于0。")
        if not loop:
            self.stdout.write(f"已送达{outbox.deliver_pending(limit)}条过程信息。")
            return
        stopping = []  # a plain flag: nothing in a signal handler that takes a lock

        def on_signal(signum, frame):
            stopping.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            total = 0
            while not stopping:
                delivered = outbox.deliver_pending(limit, should_stop=lambda: bool(stopping))
                if delivered:
                    total += delivered
                    self.stdout.write(f"已送达{delivered}条过程信息。")
                    self.stdout.flush()
                if delivered >= limit:
                    continue  # more may be due at once
                wake = time.monotonic() + interval
                while not stopping and time.monotonic() < wake:
                    time.sleep(min(0.2, max(wake - time.monotonic(), 0)))
            self.stdout.write(f"收到停止信号，退出；本次运行共送达{total}条过程信息。")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
