"""What a sign-in records: the channel (web, mobile, kiosk, counter) and the hall."""

from __future__ import annotations

import re

from django.conf import settings

from govhall.regions.models import Hall

from ..models import Channel, LoginEvent

SESSION_EVENT = "govhall_login_event"
SESSION_CHANNEL = "govhall_channel"
_MOBILE_UA = re.compile(r"Mobile|Android|iPhone|iPad|HarmonyOS|MicroMessenger", re.I)
_HALL_PATH = re.compile(r"^/halls/(\d{6,12})/")


def channel_of(request) -> str:
    """An explicit ``channel`` (kiosk and counter terminals send it), else the user agent."""
    explicit = request.POST.get("channel") or request.GET.get("channel") or ""
    if explicit in Channel.values:
        return explicit
    if _MOBILE_UA.search(request.META.get("HTTP_USER_AGENT", "")):
        return Channel.MOBILE
    return Channel.WEB


def hall_of(request) -> Hall | None:
    """The hall the person signed in from: ``hall`` (region code), the ``next`` page, or the
    main hall."""
    code = request.POST.get("hall") or request.GET.get("hall") or ""
    if not code:
        nxt = request.POST.get("next") or request.GET.get("next") or ""
        match = _HALL_PATH.match(nxt)
        code = match.group(1) if match else settings.GOVHALL_PROVINCE_CODE
    if not code.isdigit():
        code = settings.GOVHALL_PROVINCE_CODE
    return Hall.objects.filter(region_id=code).first()


def record_login(request, user) -> LoginEvent:
    event = LoginEvent.objects.create(
        user=user,
        channel=channel_of(request),
        hall=hall_of(request),
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
    )
    if hasattr(request, "session"):
        request.session[SESSION_EVENT] = event.pk
        request.session[SESSION_CHANNEL] = event.channel
    return event


def mark_second_factor(request) -> None:
    """The sign-in of this session also passed TOTP: note it on its record."""
    event_id = request.session.get(SESSION_EVENT)
    if event_id:
        LoginEvent.objects.filter(pk=event_id, user=request.user).update(
            method=LoginEvent.Method.PASSWORD_TOTP
        )


def mark_method(request, method: str) -> None:
    """The sign-in of this session used ``method`` (SMS code, registration): note it."""
    event_id = request.session.get(SESSION_EVENT)
    if event_id:
        LoginEvent.objects.filter(pk=event_id, user=request.user).update(method=method)
