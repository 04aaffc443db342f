"""Background tasks of the case engine (django-tasks; database broker by default)."""

from django_tasks import task

from .models import Notification


@task()
def send_notification(pk: int) -> None:
    from .services import notifications

    note = Notification.objects.select_related("user").filter(pk=pk).first()
    if note is not None:
        notifications.send(note)
