"""Requests for shared data and the owner's decisions (共享申请、审核、撤销).

A department's staff ask for named data items of a resource, for a named purpose on a
legal basis, until a date. The owner department's approvers (or hall administrators)
approve or refuse within ``GOVHALL_SHARING_DECISION_DAYS``; the periodic job reminds them
before the deadline and escalates to the supervisors above once it has passed. An
approval is the whole scope of later reads and can be revoked at any time. 无条件共享
resources are granted on request, 不予共享 ones refused.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.cases.models import Notification
from govhall.core import context
from govhall.core.errors import deny, refuse
from govhall.regions.models import Department, Post, StaffPost
from govhall.regions.services.scope import scope_of

from ..models import Approval, Resource, SharingType

# Posts that decide on requests for the resources of their department.
DECIDING_POSTS = (Post.APPROVER, Post.HALL_ADMIN)
NOTE_MAX = 500


def decision_days() -> int:
    return int(getattr(settings, "GOVHALL_SHARING_DECISION_DAYS", 10))


def remind_days() -> int:
    return int(getattr(settings, "GOVHALL_SHARING_REMIND_DAYS", 2))


def _acting(user, reason: str):
    if user is not None and context.current().user_id is None:
        return context.acting(user_id=user.pk, label=user.get_username(), reason=reason)
    return context.acting(reason=reason)


# --- who may do what -------------------------------------------------------------------


def requesting_departments(user) -> QuerySet[Department]:
    """The departments a staff member may ask for data for (where they hold a post)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Department.objects.filter(is_active=True)
    return Department.objects.filter(pk__in=scope.department_ids, is_active=True)


def deciding_department_ids(user) -> set[int]:
    scope = scope_of(user)
    return {held.department_id for held in scope.posts if held.post in DECIDING_POSTS}


def can_decide(user, approval: Approval) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or approval.resource.owner_id in deciding_department_ids(user)


def visible_approvals(user) -> QuerySet[Approval]:
    """Requests made by or addressed to the departments where the user holds a post."""
    rows = Approval.objects.select_related("resource__owner", "requester")
    scope = scope_of(user)
    if scope.is_superuser:
        return rows
    ids = scope.department_ids
    return rows.filter(Q(requester_id__in=ids) | Q(resource__owner_id__in=ids))


def approval_for(user, public_id) -> Approval:
    approval = visible_approvals(user).filter(public_id=public_id).first()
    if approval is None:
        raise Approval.DoesNotExist
    return approval


# --- requesting ------------------------------------------------------------------------


def request_access(
    user,
    *,
    requester: Department,
    resource: Resource,
    fields: list[str],
    purpose: str,
    legal_basis: str,
    valid_until: datetime.date,
) -> Approval:
    """File a request; 无条件共享 is granted at once, 不予共享 refused."""
    if not requesting_departments(user).filter(pk=requester.pk).exists():
        raise deny(f"您不在“{requester.name}”任职，不能以该部门名义申请共享数据。", "requester")
    if not resource.is_active:
        raise refuse("resource", "inactive", f"共享资源“{resource.name}”已停用。")
    if resource.sharing_type == SharingType.NONE:
        raise refuse(
            "resource",
            "not_shared",
            f"共享资源“{resource.name}”为不予共享类，不能申请。"
            + (f"依据：{resource.legal_basis}" if resource.legal_basis else ""),
        )
    if requester.pk == resource.owner_id:
        raise refuse("requester", "own_resource", "本部门是该资源的提供部门，无需申请共享。")
    known = list(resource.fields.values_list("code", flat=True))
    chosen = [code for code in known if code in set(fields or [])]
    unknown = sorted(set(fields or []) - set(known))
    if unknown:
        raise refuse(
            "fields", "unknown", f"共享资源“{resource.name}”没有数据项：{'、'.join(unknown)}。"
        )
    if not chosen:
        raise refuse("fields", "required", "请至少选择一个数据项。")
    purpose = (purpose or "").strip()
    legal_basis = (legal_basis or "").strip()
    if not purpose:
        raise refuse("purpose", "required", "请填写“使用用途”（用于办理的事项或业务）。")
    if not legal_basis:
        raise refuse("legal_basis", "required", "请填写“申请依据”（法律法规或政策文件）。")
    today = timezone.localdate()
    if valid_until is None or valid_until <= today:
        raise refuse("valid_until", "invalid", "“有效期至”须晚于今天。")
    if valid_until > today + datetime.timedelta(days=3 * 366):
        raise refuse("valid_until", "too_long", "“有效期至”最长为三年，到期后请重新申请。")
    now = timezone.now()
    with transaction.atomic(), _acting(user, "申请共享数据"):
        approval = Approval(
            resource=resource,
            requester=requester,
            fields=chosen,
            purpose=purpose[:200],
            legal_basis=legal_basis,
            valid_until=valid_until,
            requested_by=user,
            requested_at=now,
            decide_by=now + datetime.timedelta(days=decision_days()),
        )
        if resource.sharing_type == SharingType.UNCONDITIONAL:
            approval.status = Approval.Status.APPROVED
            approval.decided_at = now
            approval.decision_note = "无条件共享资源，申请即同意"
        approval.save()
        if approval.status == Approval.Status.PENDING:
            _tell(
                _deciders(resource.owner_id),
                "sharing_request",
                "共享数据申请待审核",
                f"{requester.name}申请共享“{resource.name}”（{_field_names(approval)}），"
                f"用途：{approval.purpose}。请于{timezone.localtime(approval.decide_by):%Y-%m-%d}前答复。",
            )
    return approval


def _field_names(approval: Approval) -> str:
    names = dict(approval.resource.fields.values_list("code", "name"))
    return "、".join(names.get(c, c) for c in approval.fields)


def field_names(approval: Approval) -> list[str]:
    names = dict(approval.resource.fields.values_list("code", "name"))
    return [names.get(c, c) for c in approval.fields]


# --- deciding and revoking ---------------------------------------------------------------


def _locked(approval: Approval) -> Approval:
    return (
        Approval.objects.select_for_update()
        .select_related("resource", "requester")
        .get(pk=approval.pk)
    )


def approve(user, approval: Approval, *, note: str = "") -> Approval:
    return _decide(user, approval, Approval.Status.APPROVED, note)


def refuse_request(user, approval: Approval, *, note: str) -> Approval:
    if not (note or "").strip():
        raise refuse("decision_note", "required", "不同意共享时，请填写理由（将告知申请部门）。")
    return _decide(user, approval, Approval.Status.REFUSED, note)


def _decide(user, approval: Approval, status: str, note: str) -> Approval:
    if not can_decide(user, approval):
        raise deny("只有提供部门的审批人员或大厅管理员可以审核该共享申请。")
    verb = "同意" if status == Approval.Status.APPROVED else "不同意"
    with transaction.atomic(), _acting(user, f"审核共享申请：{verb}"):
        approval = _locked(approval)
        if approval.status != Approval.Status.PENDING:
            raise refuse(
                "status", "not_pending", f"该申请已{approval.get_status_display()}，不能再审核。"
            )
        approval.status = status
        approval.decided_by = user
        approval.decided_at = timezone.now()
        approval.decision_note = (note or "").strip()[:NOTE_MAX]
        approval.save()
        _tell(
            _requesters(approval),
            "sharing_decided",
            f"共享数据申请已{approval.get_status_display()}",
            f"{approval.resource.owner.name}{verb}贵部门共享“{approval.resource.name}”"
            f"（用途：{approval.purpose}）的申请。"
            + (f"意见：{approval.decision_note}" if approval.decision_note else ""),
        )
    return approval


def revoke(user, approval: Approval, *, reason: str) -> Approval:
    """Withdraw an approval: every later read under it is refused."""
    if not can_decide(user, approval):
        raise deny("只有提供部门的审批人员或大厅管理员可以撤销共享授权。")
    reason = (reason or "").strip()
    if not reason:
        raise refuse("revoke_reason", "required", "请填写撤销理由（将告知申请部门）。")
    with transaction.atomic(), _acting(user, "撤销共享授权"):
        approval = _locked(approval)
        if approval.status != Approval.Status.APPROVED:
            raise refuse(
                "status", "not_approved", f"该申请{approval.get_status_display()}，不能撤销。"
            )
        approval.status = Approval.Status.REVOKED
        approval.revoked_by = user
        approval.revoked_at = timezone.now()
        approval.revoke_reason = reason[:NOTE_MAX]
        approval.save()
        _tell(
            _requesters(approval),
            "sharing_revoked",
            "共享授权已撤销",
            f"{approval.resource.owner.name}撤销了贵部门共享“{approval.resource.name}”"
            f"（用途：{approval.purpose}）的授权。理由：{approval.revoke_reason}",
        )
    return approval


def in_force(requester_id: int, resource: Resource, on=None) -> list[Approval]:
    on = on or timezone.localdate()
    return list(
        Approval.objects.filter(
            requester_id=requester_id,
            resource=resource,
            status=Approval.Status.APPROVED,
            valid_until__gte=on,
        ).order_by("-decided_at", "-pk")
    )


# --- reminders and escalation (run by the periodic job) ---------------------------------


def remind_and_escalate(now=None) -> dict:
    """Remind the deciders of requests due within ``remind_days``; escalate the overdue
    to the supervisors and hall administrators of the owner's region and the one above.
    Each once per request."""
    now = now or timezone.now()
    reminded = escalated = 0
    pending = Approval.objects.filter(status=Approval.Status.PENDING).select_related(
        "resource__owner__region", "requester"
    )
    soon = now + datetime.timedelta(days=remind_days())
    for approval in pending.filter(reminded_at__isnull=True, decide_by__lte=soon):
        with transaction.atomic(), context.acting(reason="共享申请催办"):
            _tell(
                _deciders(approval.resource.owner_id),
                "sharing_remind",
                "共享数据申请即将超期",
                f"{approval.requester.name}申请共享“{approval.resource.name}”，"
                f"答复期限为{timezone.localtime(approval.decide_by):%Y-%m-%d %H:%M}，请及时审核。",
            )
            Approval.objects.filter(pk=approval.pk).update(reminded_at=now)
        reminded += 1
    for approval in pending.filter(escalated_at__isnull=True, decide_by__lt=now):
        with transaction.atomic(), context.acting(reason="共享申请超期上报"):
            _tell(
                _supervisors(approval.resource.owner),
                "sharing_overdue",
                "共享数据申请超期未答复",
                f"{approval.resource.owner.name}未在{timezone.localtime(approval.decide_by):%Y-%m-%d}"
                f"前答复{approval.requester.name}共享“{approval.resource.name}”的申请"
                f"（用途：{approval.purpose}），请督办。",
            )
            Approval.objects.filter(pk=approval.pk).update(escalated_at=now)
        escalated += 1
    return {"reminded": reminded, "escalated": escalated}


def _deciders(department_id: int) -> set[int]:
    return set(
        StaffPost.objects.filter(
            department_id=department_id, post__in=DECIDING_POSTS, is_active=True
        ).values_list("user_id", flat=True)
    )


def _requesters(approval: Approval) -> set[int]:
    users = set(
        StaffPost.objects.filter(department_id=approval.requester_id, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if approval.requested_by_id:
        users.add(approval.requested_by_id)
    return users


def _supervisors(owner: Department) -> set[int]:
    regions = [owner.region_id]
    if owner.region.parent_id:
        regions.append(owner.region.parent_id)
    return set(
        StaffPost.objects.filter(
            department__region_id__in=regions,
            post__in=[Post.SUPERVISOR, Post.HALL_ADMIN],
            is_active=True,
        ).values_list("user_id", flat=True)
    )


def _tell(user_ids, event: str, title: str, body: str) -> None:
    Notification.objects.bulk_create(
        Notification(user_id=u, event=event[:30], title=title[:200], body=body)
        for u in sorted(user_ids)
    )
