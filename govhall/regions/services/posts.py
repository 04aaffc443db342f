"""Granting, confirming and revoking staff posts: separation of duties.

Every path that gives someone a post — the admin's post screen, its actions, services and
the shell — goes through ``grant``; the rules live here, not in a screen:

- nobody grants a post to themselves, nor confirms a post they hold or granted;
- a post goes only to a registered staff account (``StaffAccount``), in a department
  inside that account's region; a hall administrator grants only to staff accounts of the
  region they administer, in departments of that region (a superuser anywhere);
- a hall-administrator post waits, inactive, until a second administrator confirms it;
- every grant, confirmation and revocation is audited (the post's row change, with the
  actor and a reason naming the act).

The case engine adds the other half (``cases.services.access``): nobody handles a case
in which they are the applicant, the agent or the applicant company's legal representative.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from govhall.core import context
from govhall.core.errors import NON_FIELD, Problem, Refusal, deny, refuse

from ..models import Department, Post, Region, StaffAccount, StaffPost
from .scope import scope_of

# Posts that need a second administrator's confirmation before they take effect.
CONFIRMED_POSTS = frozenset({Post.HALL_ADMIN})


def admin_prefixes(actor) -> frozenset[str] | None:
    """Region prefixes ``actor`` administers; ``None`` for a superuser (everywhere)."""
    if actor.is_superuser:
        return None
    return scope_of(actor).prefixes_of(Post.HALL_ADMIN)


def _covers(prefixes: frozenset[str] | None, code: str) -> bool:
    return prefixes is None or any(code.startswith(p) for p in prefixes)


def _acting(actor, reason: str):
    return context.acting(user_id=actor.pk, label=actor.get_username(), reason=reason)


def grant_problems(actor, user, department: Department | None, post: str | None) -> list[Problem]:
    """Everything wrong with ``actor`` giving ``user`` the ``post`` in ``department``."""
    prefixes = admin_prefixes(actor)
    if prefixes is not None and not prefixes:
        return [Problem(NON_FIELD, "permission_denied", "只有系统管理员或大厅管理员可以授予岗位。")]
    problems = []
    if user is None:
        return problems
    if user.pk == actor.pk:
        problems.append(Problem("user", "self_grant", "不能给自己授予岗位，请由其他管理员办理。"))
    account = StaffAccount.objects.select_related("region").filter(user=user).first()
    if account is None:
        problems.append(
            Problem(
                "user",
                "not_staff_account",
                f"“{user.get_username()}”不是工作人员账号，须先由系统管理员登记为工作人员账号。",
            )
        )
    elif not _covers(prefixes, account.region_id):
        problems.append(
            Problem(
                "user",
                "account_out_of_region",
                f"该工作人员账号属于{account.region.name}，不在您管理的区划内。",
            )
        )
        account = None  # the account is refused as a whole; no second message on it
    if department is not None:
        if not _covers(prefixes, department.region_id):
            problems.append(Problem("department", "out_of_region", "该部门不在您管理的区划内。"))
        elif account is not None and not department.region_id.startswith(account.region.prefix):
            problems.append(
                Problem(
                    "department",
                    "outside_account_region",
                    f"部门须在该工作人员账号所属区划（{account.region.name}）内。",
                )
            )
        if post and (
            StaffPost.objects.filter(user=user, department=department, post=post)
            .filter(is_active=True)
            .exists()
            or StaffPost.objects.filter(
                user=user, department=department, post=post, awaiting_confirmation=True
            ).exists()
        ):
            problems.append(Problem(NON_FIELD, "duplicate", "该工作人员在这个部门已有此岗位。"))
    return problems


@transaction.atomic
def grant(actor, user, department: Department, post: str) -> StaffPost:
    """Give ``user`` the post (or re-open a revoked one); a hall-administrator post is
    created awaiting confirmation. Refuses with every problem at once."""
    if post not in Post.values:
        raise refuse("post", "choice", "请选择有效的岗位。")
    problems = grant_problems(actor, user, department, post)
    if problems:
        raise Refusal(problems)
    pending = post in CONFIRMED_POSTS
    row = (
        StaffPost.objects.select_for_update()
        .filter(user=user, department=department, post=post)
        .first()
    )
    if row is None:
        row = StaffPost(user=user, department=department, post=post)
    row.is_active = not pending
    row.awaiting_confirmation = pending
    row.granted_by = actor
    row.confirmed_by = None
    row.confirmed_at = None
    row.revoked_by = None
    row.revoked_at = None
    reason = "授予岗位（待第二名管理员确认）" if pending else "授予岗位"
    with _acting(actor, reason):
        row.save()
    return row


def _may_administer(actor, row: StaffPost) -> bool:
    return _covers(admin_prefixes(actor), row.department.region_id)


@transaction.atomic
def confirm(actor, row: StaffPost) -> StaffPost:
    """A second administrator confirms a pending hall-administrator post."""
    row = StaffPost.objects.select_for_update().select_related("department").get(pk=row.pk)
    if not row.awaiting_confirmation:
        raise refuse("post", "not_awaiting_confirmation", "该岗位不在待确认状态。")
    prefixes = admin_prefixes(actor)
    if prefixes is not None and (not prefixes or not _may_administer(actor, row)):
        raise deny("只有该区划的其他管理员可以确认此岗位。")
    if actor.pk in (row.user_id, row.granted_by_id):
        raise refuse(
            "post",
            "second_admin_required",
            "大厅管理员岗位须由授予人和本人以外的另一名管理员确认。",
        )
    row.is_active = True
    row.awaiting_confirmation = False
    row.confirmed_by = actor
    row.confirmed_at = timezone.now()
    with _acting(actor, "确认授予大厅管理员岗位"):
        row.save()
    return row


@transaction.atomic
def revoke(actor, row: StaffPost, reason: str = "") -> StaffPost:
    """End a post (or withdraw a pending one); audited with the reason."""
    row = StaffPost.objects.select_for_update().select_related("department").get(pk=row.pk)
    prefixes = admin_prefixes(actor)
    if prefixes is not None and (not prefixes or not _may_administer(actor, row)):
        raise deny("该岗位不在您管理的区划内。")
    if not row.is_active and not row.awaiting_confirmation:
        raise refuse("post", "already_revoked", "该岗位已撤销。")
    row.is_active = False
    row.awaiting_confirmation = False
    row.revoked_by = actor
    row.revoked_at = timezone.now()
    with _acting(actor, "撤销岗位" + (f"：{reason}" if reason else "")):
        row.save()
    return row


@transaction.atomic
def register_account(actor, user, region: Region) -> StaffAccount:
    """A system administrator registers ``user`` as a staff account of ``region``."""
    if not actor.is_superuser:
        raise deny("只有系统管理员可以登记工作人员账号。")
    account = StaffAccount.objects.filter(user=user).first() or StaffAccount(user=user)
    account.region = region
    account.registered_by = actor
    with _acting(actor, "登记工作人员账号"):
        account.save()
    return account
