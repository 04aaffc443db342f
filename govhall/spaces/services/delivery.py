"""Delivering a reminder or a push: the site inbox always, SMS (and email) when chosen.

The inbox row is the case engine's ``Notification``, so reminders and pushes sit beside
the case messages; sending by SMS reuses its queued task (retried by ``send_pending``).
"""

from __future__ import annotations

from django.db import transaction

from govhall.cases.models import Notification

from ..models import Preference


def preference_of(user) -> Preference:
    """The person's preference (defaults when never saved; nothing is written)."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def deliver(
    user, *, event: str, title: str, body: str, link: str = "", case_number: str = ""
) -> tuple[Notification, bool]:
    """Put the message in the inbox and queue the SMS if the person wants SMS; returns
    the message and whether an SMS was queued."""
    note = Notification.objects.create(
        user=user,
        event=event[:30],
        title=title[:200],
        body=body,
        link=link[:200],
        case_number=case_number,
    )
    sms = preference_of(user).sms and bool(getattr(user, "mobile", ""))
    if sms:
        transaction.on_commit(lambda: _enqueue(note.pk))
    return note, sms


def _enqueue(pk: int) -> None:
    from govhall.cases.tasks import send_notification

    send_notification.enqueue(pk)
