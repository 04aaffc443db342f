"""Background work of monitoring (django-tasks)."""

from django_tasks import task


@task()
def refresh_indicators() -> int:
    from .services import refresh

    return refresh.refresh()
