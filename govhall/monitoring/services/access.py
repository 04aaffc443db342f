"""Who may see which numbers.

Supervisors (效能监督人员) and hall administrators (大厅管理员) — and superusers — see every
region their scope covers, with its departments and cases; every other post sees only its
own department's page and the cases of that department. A region, department or case
outside the user's reach is "not found": the page says nothing about it.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from govhall.records.models import ProcessRecord
from govhall.regions.models import Department, Level, Post, Region
from govhall.regions.services.scope import REGION_WIDE_POSTS, StaffScope, scope_of

__all__ = ["scope_of"]


def sees_regions(scope: StaffScope) -> bool:
    """May open region views at all (a supervisor or hall administrator post, or superuser)."""
    return scope.is_superuser or bool(scope.region_prefixes)


def may_see_region(scope: StaffScope, code: str) -> bool:
    return sees_regions(scope) and scope.covers_region_code(code)


def may_see_department(scope: StaffScope, department: Department) -> bool:
    """Its own staff, and the supervisors and hall administrators of its region or above."""
    return scope.covers_department(department)


def may_edit_targets(scope: StaffScope, code: str) -> bool:
    """Supervisors and hall administrators of the region or of a region above it."""
    if scope.is_superuser:
        return True
    prefixes = scope.prefixes_of(Post.SUPERVISOR) | scope.prefixes_of(Post.HALL_ADMIN)
    return any(code.startswith(prefix) for prefix in prefixes)


def region_or_404(scope: StaffScope, code: str) -> Region:
    if not may_see_region(scope, code):
        raise Http404
    return get_object_or_404(Region, code=code)


def department_or_404(scope: StaffScope, credit_code: str) -> Department:
    department = get_object_or_404(
        Department.objects.select_related("region"), credit_code=credit_code
    )
    if not may_see_department(scope, department):
        raise Http404
    return department


def top_regions(scope: StaffScope) -> list[Region]:
    """The highest regions this user watches (a province supervisor: the province)."""
    if scope.is_superuser:
        return list(Region.objects.filter(level=Level.PROVINCE).order_by("code")[:1])
    codes = sorted({held.region_code for held in scope.posts if held.post in REGION_WIDE_POSTS})
    regions = list(Region.objects.filter(code__in=codes).order_by("code"))
    return [
        region
        for region in regions
        if not any(
            other.code != region.code and region.code.startswith(other.prefix) for other in regions
        )
    ]


def own_departments(scope: StaffScope) -> list[Department]:
    return list(
        Department.objects.filter(pk__in=scope.department_ids, is_active=True)
        .select_related("region")
        .order_by("region__code", "sort_order", "name")
    )


def visible_ancestors(scope: StaffScope, region: Region) -> list[Region]:
    """The regions above this one that the user may open (for the breadcrumb)."""
    return [r for r in region.ancestors() if may_see_region(scope, r.code)]


def may_see_case_records(scope: StaffScope, records: list[ProcessRecord]) -> bool:
    """A case's records are visible where its region is watched by the user, or its
    responsible department is one of the user's own."""
    if scope.is_superuser:
        return True
    if sees_regions(scope) and any(scope.covers_region_code(r.region_code) for r in records):
        return True
    own = set(
        Department.objects.filter(pk__in=scope.department_ids).values_list("credit_code", flat=True)
    )
    return any(r.department_code in own for r in records)
