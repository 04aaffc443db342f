"""gunicorn settings for govhall (``gunicorn -c deploy/gunicorn.conf.py govhall.wsgi``).

Requests spend most of their time in Python (docs/deployment.md, "Sizing"), so workers
are processes, two per core: one computing while the other waits on PostgreSQL.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then (memory)
max_requests_jitter = 200
accesslog = "-"
# nginx's address is the peer; the client is in X-Forwarded-For (the app resolves it).
access_log_format = '%(h)s "%({x-forwarded-for}i)s" "%(r)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = "127.0.0.1"


def on_starting(server):
    """Refuse to start without the keys of the data already encrypted; start with an
    empty metrics directory (stale files of dead workers would count)."""
    _require_keys()
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.unlink(os.path.join(directory, name))


def _require_keys():
    """The system check ``govhall.E010``/``E011`` (operations/checks.py) before any worker
    serves: gunicorn runs no Django checks of its own."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    django.setup()
    from django.db import connections

    from govhall.operations.checks import encrypted_data_keys

    try:
        errors = encrypted_data_keys(None)
    finally:
        connections.close_all()  # workers are forked from this process
    if errors:
        lines = [f"{error.id}: {error.msg}\n  {error.hint}" for error in errors]
        raise SystemExit("govhall refuses to start:\n" + "\n".join(lines))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
