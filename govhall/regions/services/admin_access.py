"""Back-office access of hall administrators (大厅管理员).

Model permissions come from one Django group; *which rows* a hall administrator sees is
decided separately by their ``hall_admin`` posts (see ``regions.admin``). Holding the
group without an active post therefore shows nothing, and the post without the group
opens no screen: both are needed, so revoking either one is enough.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from govhall.core.services import audit

HALL_ADMIN_GROUP = "大厅管理员"

# (app label, codename): regions read-only, halls edited, departments and posts managed,
# and the holiday calendar loaded or corrected year by year.
HALL_ADMIN_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("regions", "view_region"),
    ("regions", "view_hall"),
    ("regions", "change_hall"),
    ("regions", "view_department"),
    ("regions", "add_department"),
    ("regions", "change_department"),
    ("regions", "view_staffpost"),
    ("regions", "add_staffpost"),
    ("regions", "change_staffpost"),
    ("regions", "delete_staffpost"),
    ("core", "add_calendaryear"),
    ("core", "change_calendaryear"),
    ("core", "view_calendaryear"),
    ("core", "view_calendarday"),
)


class PermissionsMissing(LookupError):
    """The permission rows are created by ``migrate``; run it before this."""


def _permissions() -> list[Permission]:
    condition = Q(pk__in=[])
    for app_label, codename in HALL_ADMIN_PERMISSIONS:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(condition).select_related("content_type"))
    if len(found) != len(HALL_ADMIN_PERMISSIONS):
        have = {(p.content_type.app_label, p.codename) for p in found}
        missing = [f"{a}.{c}" for a, c in HALL_ADMIN_PERMISSIONS if (a, c) not in have]
        raise PermissionsMissing("缺少权限记录：" + "、".join(missing) + "；请先运行 migrate。")
    return found


@transaction.atomic
def ensure_hall_admin_group() -> Group:
    """Create the group and give it the permissions above; a second call changes nothing.

    Permissions an operator added to the group by hand are left in place.
    """
    group, created = Group.objects.get_or_create(name=HALL_ADMIN_GROUP)
    have = set(group.permissions.values_list("pk", flat=True))
    missing = [p for p in _permissions() if p.pk not in have]
    if missing:
        group.permissions.add(*missing)
    if created or missing:
        audit.record(
            audit.Action.CREATE if created else audit.Action.UPDATE,
            instance=group,
            object_type="auth.group",
            after={
                "name": group.name,
                "permissions_added": sorted(
                    f"{p.content_type.app_label}.{p.codename}" for p in missing
                ),
            },
            reason="设置大厅管理员权限组",
        )
    return group


@transaction.atomic
def grant_hall_admin_access(user) -> bool:
    """Let ``user`` sign in to the admin as a hall administrator; True if anything changed.

    Sets ``is_staff`` (audited through the user's own save) and adds the group (audited
    here, since group membership is not a row of the user).
    """
    group = ensure_hall_admin_group()
    changed = False
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        changed = True
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        audit.record(
            audit.Action.UPDATE,
            instance=user,
            object_type="accounts.user",
            after={"groups_added": [group.name]},
            reason="授予大厅管理员后台权限",
        )
        changed = True
    return changed
