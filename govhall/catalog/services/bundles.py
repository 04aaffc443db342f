"""Bundles (一件事): several items applied for together, used by the cases subsystem."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from govhall.core.errors import Problem, Refusal
from govhall.regions.models import Department, Region

from ..models import Bundle, BundleMember, Item, LifeEvent, Theme
from . import permissions
from .themes import _audience


@transaction.atomic
def save_bundle(
    *,
    code: str,
    name: str,
    audience: str,
    region: Region | str,
    description: str = "",
    lead_department: Department | str | None = None,
    life_event: LifeEvent | str | None = None,
    themes: list[str] = (),
    promised_limit_days: int | None = None,
    is_published: bool = True,
    members: list[dict[str, Any]] = (),
    actor=None,
) -> Bundle:
    """Create or replace a bundle and its member items (at least two, all published)."""
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first() or _fail(
            "region", f"区划“{region}”不存在。"
        )
    if isinstance(lead_department, str):
        lead_department = Department.objects.filter(credit_code=lead_department).first() or _fail(
            "lead_department", f"牵头部门“{lead_department}”不存在。"
        )
    if lead_department is not None:
        permissions.require_edit(actor, lead_department)
    elif actor is not None and not actor.is_superuser:
        _fail("lead_department", "须指定牵头部门。")
    if isinstance(life_event, str):
        life_event = LifeEvent.objects.filter(code=life_event).first() or _fail(
            "life_event", f"人生事件“{life_event}”不存在。"
        )
    if len(members) < 2:
        _fail("members", "一件事至少包含两个事项。")
    item_codes = [m["item"] for m in members]
    items = {
        i.implementation_code: i for i in Item.objects.filter(implementation_code__in=item_codes)
    }
    problems = []
    for index, item_code in enumerate(item_codes):
        item = items.get(item_code)
        if item is None:
            problems.append(
                Problem(f"members[{index}].item", "unknown_item", f"事项“{item_code}”不存在。")
            )
        elif item.status != Item.Status.ACTIVE:
            problems.append(
                Problem(
                    f"members[{index}].item",
                    "item_not_active",
                    f"事项“{item.name}”不是在用状态，不能纳入一件事。",
                )
            )
    if len(set(item_codes)) != len(item_codes):
        problems.append(Problem("members", "duplicate_item", "一件事中的事项不能重复。"))
    if problems:
        raise Refusal(problems)
    values = {
        "name": name,
        "audience": _audience(audience),
        "region": region,
        "description": description,
        "lead_department": lead_department,
        "life_event": life_event,
        "promised_limit_days": promised_limit_days,
        "is_published": is_published,
    }
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is None:
        bundle = Bundle.objects.create(code=code, **values)
    else:
        for key, value in values.items():
            setattr(bundle, key, value)
        bundle.save()
    bundle.themes.set(Theme.objects.filter(code__in=themes))
    wanted = {items[m["item"]].pk: (i, m) for i, m in enumerate(members)}
    bundle.members.exclude(item_id__in=wanted).delete()
    existing = {m.item_id: m for m in bundle.members.all()}
    for item_id, (index, member) in wanted.items():
        values = {
            "required": bool(member.get("required", True)),
            "condition": member.get("condition", ""),
            "sort_order": index,
        }
        row = existing.get(item_id)
        if row is None:
            BundleMember.objects.create(bundle=bundle, item_id=item_id, **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
    return bundle


def _fail(field: str, message: str):
    raise Refusal(Problem(field, "invalid", message))


def published_bundles(region: Region | None = None):
    queryset = Bundle.objects.filter(is_published=True).prefetch_related("members__item")
    if region is not None:
        queryset = queryset.filter(region__code__in=[r.code for r in [*region.ancestors(), region]])
    return queryset


def bundle_document(bundle: Bundle) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "audience": bundle.audience,
        "region": bundle.region_id,
        "lead_department": bundle.lead_department.credit_code if bundle.lead_department else None,
        "life_event": bundle.life_event.code if bundle.life_event_id else None,
        "themes": sorted(t.code for t in bundle.themes.all()),
        "promised_limit_days": bundle.promised_limit_days,
        "is_published": bundle.is_published,
        "members": [
            {
                "item": m.item.implementation_code,
                "name": m.item.name,
                "required": m.required,
                "condition": m.condition,
            }
            for m in bundle.members.select_related("item").order_by("sort_order", "pk")
        ],
    }
