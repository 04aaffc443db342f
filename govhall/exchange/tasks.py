"""Background tasks of the exchange (django-tasks; database broker by default)."""

from django_tasks import task


@task()
def deliver_outbox() -> int:
    """Push due process records to the parent hall (see ``services.outbox``)."""
    from .services import outbox

    return outbox.deliver_pending()
