"""A person's choices: reminders on or off, SMS or inbox only, which push kinds to stop,
and which policy-news themes to follow (订阅政策资讯)."""

from __future__ import annotations

from django.db import transaction

from govhall.core.errors import refuse

from ..models import Preference, PushKind, PushRule


def subscribable_themes():
    """The themes one can follow: those of the active rules that have one."""
    from govhall.catalog.models import Theme

    codes = PushRule.objects.filter(is_active=True).exclude(theme_code="").values("theme_code")
    return Theme.objects.filter(code__in=codes).order_by("audience", "sort_order", "code")


@transaction.atomic
def save(
    user, *, reminders: bool, sms: bool, pushes_off: list[str], themes: list[str] | None = None
) -> Preference:
    """Replace the person's preference (audited as a save of ``Preference``); ``themes``
    None keeps the followed themes as they are."""
    if not isinstance(pushes_off, list | tuple):
        raise refuse("pushes_off", "type", "“不再接收的推送类别”须为列表。")
    unknown = [k for k in pushes_off if k not in PushKind.values]
    if unknown:
        allowed = "、".join(f"{k.value}（{k.label}）" for k in PushKind)
        raise refuse("pushes_off", "choice", f"推送类别“{unknown[0]}”无效，应为：{allowed}。")
    if themes is not None:
        if not isinstance(themes, list | tuple):
            raise refuse("themes", "type", "“订阅的政策资讯主题”须为列表。")
        from govhall.catalog.models import Theme

        known = set(Theme.objects.filter(code__in=themes).values_list("code", flat=True))
        unknown = [t for t in themes if t not in known]
        if unknown:
            raise refuse("themes", "choice", f"服务主题“{unknown[0]}”不存在，请使用服务主题编码。")
    preference = Preference.objects.select_for_update().filter(user=user).first()
    preference = preference or Preference(user=user)
    preference.reminders = bool(reminders)
    preference.sms = bool(sms)
    preference.pushes_off = sorted(set(pushes_off))
    if themes is not None:
        preference.themes = sorted(set(themes))
    preference.save()
    return preference
