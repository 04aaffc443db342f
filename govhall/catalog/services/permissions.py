"""Who may edit and who may review which items (posts of regions.Post, via ``scope_of``).

* A catalogue editor (事项录入人员) edits the items of the department holding the post.
* A catalogue reviewer (事项审查人员, usually at the region's 编办) reviews and publishes
  the items of every department of the same region as the post, and of its own
  department; not those of other regions, above or below.
* Nobody reviews a version they edited or submitted themselves (four-eyes rule).
* Superusers may do everything; ``actor=None`` is the system itself (data loads).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from govhall.core.errors import deny
from govhall.regions.models import Department, Post
from govhall.regions.services.scope import scope_of

from ..models import Item


def _posts(user, post: str) -> list[tuple[int, str]]:
    return [
        (held.department_id, held.region_code) for held in scope_of(user).posts if held.post == post
    ]


def can_edit(user, department: Department) -> bool:
    if user is None:
        return True
    scope = scope_of(user)
    return scope.is_superuser or any(
        d == department.pk for d, _ in _posts(user, Post.CATALOGUE_EDITOR)
    )


def can_review(user, item: Item) -> bool:
    if user is None:
        return True
    scope = scope_of(user)
    return scope.is_superuser or any(
        d == item.department_id or region == item.region_id
        for d, region in _posts(user, Post.CATALOGUE_REVIEWER)
    )


def require_edit(user, department: Department) -> None:
    if not can_edit(user, department):
        raise deny(f"您不是“{department.name}”的事项录入人员，不能编辑该部门的事项。")


def require_review(user, item: Item) -> None:
    if not can_review(user, item):
        raise deny(
            f"您不是“{item.region.name}”或“{item.department.name}”的事项审查人员，不能审查该事项。"
        )


def editable_departments(user) -> QuerySet[Department]:
    if user is not None and scope_of(user).is_superuser:
        return Department.objects.filter(is_active=True)
    ids = [d for d, _ in _posts(user, Post.CATALOGUE_EDITOR)]
    return Department.objects.filter(pk__in=ids, is_active=True)


def visible_items(user) -> QuerySet[Item]:
    """Items on the user's catalogue desk: those they may edit or review."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Item.objects.all()
    condition = Q(pk__in=[])
    editor = [d for d, _ in _posts(user, Post.CATALOGUE_EDITOR)]
    if editor:
        condition |= Q(department_id__in=editor)
    for dept, region in _posts(user, Post.CATALOGUE_REVIEWER):
        condition |= Q(department_id=dept) | Q(region_id=region)
    return Item.objects.filter(condition)


def is_catalogue_staff(user) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or any(
        held.post in (Post.CATALOGUE_EDITOR, Post.CATALOGUE_REVIEWER) for held in scope.posts
    )
