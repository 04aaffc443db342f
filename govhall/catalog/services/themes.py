"""Themes and life events: reference lists maintained as data (idempotent upserts)."""

from __future__ import annotations

from django.db import transaction

from govhall.core.errors import Problem, Refusal

from ..models import Item, LifeEvent, Theme, ThemeAudience


def _audience(value: str) -> str:
    if value not in ThemeAudience.values:
        raise Refusal(
            Problem("audience", "choice", f"面向对象“{value}”无效，应为person或company。")
        )
    return value


def _upsert(model, code: str, values: dict):
    obj = model.objects.filter(code=code).first()
    if obj is None:
        return model.objects.create(code=code, **values)
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
    return obj


@transaction.atomic
def upsert_theme(
    *, code: str, name: str, audience: str, sort_order: int = 100, description: str = ""
) -> Theme:
    values = {
        "name": name,
        "audience": _audience(audience),
        "sort_order": sort_order,
        "description": description,
    }
    return _upsert(Theme, code, values)


@transaction.atomic
def upsert_life_event(
    *,
    code: str,
    name: str,
    audience: str,
    sort_order: int = 100,
    description: str = "",
    themes: list[str] = (),
    items: list[str] = (),
) -> LifeEvent:
    values = {
        "name": name,
        "audience": _audience(audience),
        "sort_order": sort_order,
        "description": description,
    }
    event = _upsert(LifeEvent, code, values)
    found_themes = list(Theme.objects.filter(code__in=themes))
    if len(found_themes) != len(set(themes)):
        missing = sorted(set(themes) - {t.code for t in found_themes})
        raise Refusal(Problem("themes", "unknown_theme", f"服务主题“{'、'.join(missing)}”不存在。"))
    found_items = list(Item.objects.filter(implementation_code__in=items))
    if len(found_items) != len(set(items)):
        missing = sorted(set(items) - {i.implementation_code for i in found_items})
        raise Refusal(Problem("items", "unknown_item", f"事项“{'、'.join(missing)}”不存在。"))
    event.themes.set(found_themes)
    event.items.set(found_items)
    return event
