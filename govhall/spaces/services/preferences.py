"""A person's choices: reminders on or off, SMS or inbox only, which push kinds to stop."""

from __future__ import annotations

from django.db import transaction

from govhall.core.errors import refuse

from ..models import Preference, PushKind


@transaction.atomic
def save(user, *, reminders: bool, sms: bool, pushes_off: list[str]) -> Preference:
    """Replace the person's preference (audited as a save of ``Preference``)."""
    if not isinstance(pushes_off, list | tuple):
        raise refuse("pushes_off", "type", "“不再接收的推送类别”须为列表。")
    unknown = [k for k in pushes_off if k not in PushKind.values]
    if unknown:
        allowed = "、".join(f"{k.value}（{k.label}）" for k in PushKind)
        raise refuse("pushes_off", "choice", f"推送类别“{unknown[0]}”无效，应为：{allowed}。")
    preference = Preference.objects.select_for_update().filter(user=user).first()
    preference = preference or Preference(user=user)
    preference.reminders = bool(reminders)
    preference.sms = bool(sms)
    preference.pushes_off = sorted(set(pushes_off))
    preference.save()
    return preference
