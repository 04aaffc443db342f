"""Who sees and handles which warnings and complaints.

A department's staff see and answer their own department's; supervisors (效能监督人员)
and hall administrators see every one of their region and below, and supervisors alone
decide disputes and close. Anything outside the caller's reach is "not found" (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from govhall.regions.models import Department, Post
from govhall.regions.services.scope import StaffScope, scope_of

from ..models import Complaint, Warning

__all__ = ["scope_of"]


def own_credit_codes(scope: StaffScope) -> set[str]:
    return set(
        Department.objects.filter(pk__in=scope.department_ids).values_list("credit_code", flat=True)
    )


def sees_regions(scope: StaffScope) -> bool:
    return scope.is_superuser or bool(scope.region_prefixes)


def warnings_for(user, scope: StaffScope | None = None) -> QuerySet[Warning]:
    scope = scope or scope_of(user)
    if scope.is_superuser:
        return Warning.objects.all()
    condition = Q(department_code__in=own_credit_codes(scope))
    for prefix in scope.region_prefixes:
        condition |= Q(region_code__startswith=prefix)
    if not scope.posts:
        return Warning.objects.none()
    return Warning.objects.filter(condition)


def complaints_for(user, scope: StaffScope | None = None) -> QuerySet[Complaint]:
    """Complaints are seen by the department handling them and the supervisors above it
    (never by other departments, even of the same region)."""
    scope = scope or scope_of(user)
    if scope.is_superuser:
        return Complaint.objects.all()
    if not scope.posts:
        return Complaint.objects.none()
    condition = Q(department_id__in=scope.department_ids)
    for prefix in scope.prefixes_of(Post.SUPERVISOR):
        condition |= Q(region_code__startswith=prefix)
    return Complaint.objects.filter(condition)


def is_department_of(scope: StaffScope, department_code: str) -> bool:
    return scope.is_superuser or department_code in own_credit_codes(scope)


def supervises(scope: StaffScope, region_code: str) -> bool:
    """A supervisor post over this region (or a superuser)."""
    return scope.is_superuser or any(
        region_code.startswith(prefix) for prefix in scope.prefixes_of(Post.SUPERVISOR)
    )
