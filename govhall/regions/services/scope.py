"""What a staff user may see and act on: their departments and regions.

Later subsystems ask ``scope_of(user)`` before every permission decision. A post
covers its own department; supervisors and hall administrators also cover every
region below their department's region (a city supervisor watches its counties).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q, QuerySet

from ..models import PREFIX_LENGTH, Department, Level, Post, Region, StaffPost

# Posts whose reach extends to the regions below their department's region.
REGION_WIDE_POSTS = frozenset({Post.SUPERVISOR, Post.HALL_ADMIN})


class HeldPost(NamedTuple):
    """One active post of the user: the post, its department and that department's region
    (code, and the prefix every code below it starts with)."""

    post: str
    department_id: int
    region_code: str
    region_prefix: str


@dataclass(frozen=True)
class StaffScope:
    department_ids: frozenset[int] = frozenset()
    posts: tuple[HeldPost, ...] = ()
    region_prefixes: frozenset[str] = field(default=frozenset())
    is_superuser: bool = False

    @property
    def is_staff_member(self) -> bool:
        return self.is_superuser or bool(self.posts)

    def has_post(self, post: str, department: Department | int | None = None) -> bool:
        dept_id = department.pk if isinstance(department, Department) else department
        return self.is_superuser or any(
            held.post == post and (dept_id is None or held.department_id == dept_id)
            for held in self.posts
        )

    def covers_department(self, department: Department) -> bool:
        if self.is_superuser or department.pk in self.department_ids:
            return True
        return self.covers_region_code(department.region_id)

    def covers_region_code(self, code: str) -> bool:
        return self.is_superuser or any(code.startswith(p) for p in self.region_prefixes)

    def prefixes_of(self, post: str) -> frozenset[str]:
        """Region prefixes reached through one kind of post only.

        The admin screens use ``prefixes_of(Post.HALL_ADMIN)``: a hall administrator who is
        also a supervisor elsewhere administers only the hall's own subtree.
        """
        return frozenset(held.region_prefix for held in self.posts if held.post == post)

    def departments(self) -> QuerySet[Department]:
        """Departments this user may see."""
        if self.is_superuser:
            return Department.objects.all()
        condition = Q(pk__in=self.department_ids)
        for prefix in self.region_prefixes:
            condition |= Q(region__code__startswith=prefix)
        return Department.objects.filter(condition)

    def regions(self) -> QuerySet[Region]:
        if self.is_superuser:
            return Region.objects.all()
        codes = {held.region_code for held in self.posts}
        condition = Q(code__in=codes)
        for prefix in self.region_prefixes:
            condition |= Q(code__startswith=prefix)
        return Region.objects.filter(condition)


def scope_of(user) -> StaffScope:
    if user is None or not user.is_authenticated:
        return StaffScope()
    cached = getattr(user, "_staff_scope", None)
    if cached is not None:
        return cached
    # The four columns a post needs, not three model instances a row (staff pages read
    # this on every request).
    rows = (
        StaffPost.objects.filter(user=user, is_active=True, department__is_active=True)
        .order_by("pk")
        .values_list(
            "post", "department_id", "department__region__code", "department__region__level"
        )
    )
    posts, prefixes = [], set()
    for post, department_id, code, level in rows:
        prefix = code[: PREFIX_LENGTH[Level(level)]]
        posts.append(HeldPost(post, department_id, code, prefix))
        if post in REGION_WIDE_POSTS:
            prefixes.add(prefix)
    scope = StaffScope(
        department_ids=frozenset(held.department_id for held in posts),
        posts=tuple(posts),
        region_prefixes=frozenset(prefixes),
        is_superuser=user.is_superuser,
    )
    user._staff_scope = scope
    return scope
