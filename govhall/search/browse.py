"""Read-only queries behind the portal's browse pages (themes, departments, audiences).

Every list is the published catalogue, ordered so that the hall's own region comes
first, then the levels below it, then the levels above, then everything else (the same
rule the search results follow).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from govhall.regions.models import Department, Region

from .engine import _ancestor_codes, _region_prefix


def region_or_province(code: str | None) -> Region:
    """The hall region a page is shown for (the province when none or unknown)."""
    region = None
    if code:
        region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        region = Region.objects.select_related("parent").get(code=settings.GOVHALL_PROVINCE_CODE)
    return region


def region_tier(region: Region) -> Case:
    """0 own region, 1 below it, 2.. the levels above (nearest first), then the rest."""
    ancestors = _ancestor_codes(region.code)
    return Case(
        When(region_id=region.code, then=Value(0)),
        When(region__code__startswith=_region_prefix(region.code), then=Value(1)),
        *[When(region_id=code, then=Value(tier)) for tier, code in enumerate(ancestors, start=2)],
        default=Value(len(ancestors) + 2),
        output_field=IntegerField(),
    )


def published_items(region: Region | None = None, *, local_only: bool = False) -> QuerySet:
    """Published items, the region's own first; ``local_only`` keeps the region, its
    lower levels and the levels above it (what a person there can apply for)."""
    from govhall.catalog.models import Item

    items = Item.objects.published().select_related("current", "department", "region")
    if region is None:
        return items.order_by("basic_code", "region__code")
    if local_only:
        items = items.filter(
            Q(region__code__startswith=_region_prefix(region.code))
            | Q(region_id__in=_ancestor_codes(region.code))
        )
    return items.annotate(tier=region_tier(region)).order_by("tier", "basic_code", "region__code")


def theme_counts(region: Region | None = None) -> dict[int, int]:
    """Published items per theme id (within what ``published_items(local_only)`` shows)."""
    from govhall.catalog.models import Item

    items = (
        published_items(region, local_only=region is not None)
        if region
        else Item.objects.published()
    )
    rows = (
        items.order_by()
        .values("current__themes")
        .annotate(n=Count("pk"))
        .values_list("current__themes", "n")
    )
    return {theme_id: n for theme_id, n in rows if theme_id is not None}


def themes_with_counts(audience: str | None = None, region: Region | None = None) -> list:
    from govhall.catalog.models import Theme

    themes = Theme.objects.all()
    if audience:
        themes = themes.filter(audience=audience)
    counts = theme_counts(region)
    out = list(themes.order_by("audience", "sort_order"))
    for theme in out:
        theme.item_count = counts.get(theme.pk, 0)
    return out


def departments_with_counts(region: Region) -> list[Department]:
    """Departments of a region that have published items, with their counts."""
    from govhall.catalog.models import Item

    counts = dict(
        Item.objects.published()
        .filter(region=region)
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    departments = list(
        Department.objects.filter(pk__in=counts, is_active=True).order_by("sort_order", "name")
    )
    for department in departments:
        department.item_count = counts[department.pk]
    return departments
