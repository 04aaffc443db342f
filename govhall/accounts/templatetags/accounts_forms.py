"""Accessible form rendering: each input points at its hint and its error message."""

from django import template
from django.conf import settings

from govhall.core import sessions

register = template.Library()


@register.simple_tag
def widget(field, **attrs):
    """Render ``field``'s input with ``aria-describedby`` (hint, error) and ``aria-invalid``."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hint")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def session_timing(context):
    """Seconds until an idle session ends, and when to warn (for the expiry dialog)."""
    minutes = int(getattr(settings, "GOVHALL_SESSION_WARNING_MINUTES", 3))
    request = context.get("request")
    session = getattr(request, "session", None)
    age = sessions.seconds_left(session) if session is not None else settings.SESSION_COOKIE_AGE
    return {"age": age, "warn": minutes * 60}
