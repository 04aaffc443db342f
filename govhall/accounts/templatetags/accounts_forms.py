"""Accessible form rendering: each input points at its hint and its error message."""

from django import template
from django.conf import settings

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


@register.simple_tag
def session_timing():
    """Seconds until an idle session ends, and when to warn (for the expiry dialog)."""
    minutes = int(getattr(settings, "GOVHALL_SESSION_WARNING_MINUTES", 3))
    return {"age": settings.SESSION_COOKIE_AGE, "warn": minutes * 60}
