"""Background work of supervision (django-tasks)."""

from django_tasks import task


@task()
def watch_records() -> int:
    from .services import detection

    return detection.watch()
