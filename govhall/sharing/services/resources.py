"""Registering shared resources (共享资源编目): the owner department's own staff.

A resource is registered and kept by the department that provides it — the authoritative
source of its data items — through its approvers or hall administrators, the posts that
decide on requests for it (``approvals.DECIDING_POSTS``). Each data item must be an
attribute of the resource's base library **owned by that department** (one source per
datum: civil affairs cannot offer household data). An item that an approval in force or a
pending request covers cannot be removed (the requester would silently lose it); revoke
or let the approval lapse first. One transaction per save; ``Resource`` and
``ResourceField`` are audited models, so every change is in the audit log with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from govhall.core.errors import Problem, Refusal, deny
from govhall.regions.models import Department
from govhall.regions.services.scope import scope_of

from ..models import Approval, Library, Resource, ResourceField, SharingType, UpdateCycle
from . import sources
from .approvals import DECIDING_POSTS, _acting

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,39}$")
NAME_MAX = 100
CONDITION_MAX = 300
BASIS_MAX = 2000


def registering_departments(user) -> QuerySet[Department]:
    """The departments whose resources the user registers and edits."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Department.objects.filter(is_active=True)
    ids = {held.department_id for held in scope.posts if held.post in DECIDING_POSTS}
    return Department.objects.filter(pk__in=ids, is_active=True)


def editable(user) -> QuerySet[Resource]:
    return Resource.objects.filter(owner__in=registering_departments(user))


def offered_attributes(library: str, owner: Department) -> list[sources.Attribute] | None:
    """The items ``owner`` may offer from ``library`` (None: no catalogue to check)."""
    catalogue = sources.attributes(library)
    if catalogue is None:
        return None
    return [a for a in catalogue.values() if a.owner_id == owner.pk]


@dataclass
class ResourceData:
    code: str
    name: str
    owner: Department | None
    library: str
    sharing_type: str
    update_cycle: str
    legal_basis: str
    fields: list[str]  # attribute codes, in the order given
    description: str = ""
    sharing_condition: str = ""
    is_active: bool = True


def _problems(data: ResourceData, resource: Resource | None) -> list[Problem]:
    problems: list[Problem] = []

    def add(field: str, code: str, message: str) -> None:
        problems.append(Problem(field, code, message))

    if not CODE_RE.match(data.code):
        add("code", "invalid", "“资源代码”须为1至40个字母、数字、点或连字符，例如 RK-HYDJ。")
    elif Resource.objects.filter(code=data.code).exclude(pk=getattr(resource, "pk", None)).exists():
        add("code", "taken", f"“资源代码”{data.code}已被其他共享资源使用。")
    if not data.name:
        add("name", "required", "请填写“资源名称”。")
    elif len(data.name) > NAME_MAX:
        add("name", "max_length", f"“资源名称”不能超过{NAME_MAX}个字。")
    if data.library not in Library.values:
        add("library", "invalid", "“所属基础库”须为人口库或法人库。")
    elif resource is not None and data.library != resource.library and resource.approvals.exists():
        add("library", "has_approvals", "已有共享申请的资源不能改变“所属基础库”。")
    if data.sharing_type not in SharingType.values:
        add("sharing_type", "invalid", "“共享类型”须为无条件共享、有条件共享或不予共享。")
    elif data.sharing_type == SharingType.CONDITIONAL and not data.sharing_condition:
        add("sharing_condition", "required", "有条件共享的资源须写明“共享条件”。")
    if len(data.sharing_condition) > CONDITION_MAX:
        add("sharing_condition", "max_length", f"“共享条件”不能超过{CONDITION_MAX}个字。")
    if data.update_cycle not in UpdateCycle.values:
        add("update_cycle", "invalid", "“更新周期”须为实时、每日、每周、每月或每年。")
    if not data.legal_basis:
        message = (
            "不予共享的资源须写明不予共享的法律法规或政策依据（“共享依据”）。"
            if data.sharing_type == SharingType.NONE
            else "请填写“共享依据”（法律法规或政策文件）。"
        )
        add("legal_basis", "required", message)
    elif len(data.legal_basis) > BASIS_MAX:
        add("legal_basis", "max_length", f"“共享依据”不能超过{BASIS_MAX}个字。")
    problems += _field_problems(data, resource)
    return problems


def _field_problems(data: ResourceData, resource: Resource | None) -> list[Problem]:
    problems: list[Problem] = []
    if not data.fields:
        return [Problem("fields", "required", "请至少选择一个“数据项”。")]
    if len(set(data.fields)) != len(data.fields):
        problems.append(Problem("fields", "duplicate", "“数据项”不能重复。"))
    if data.library in Library.values and data.owner is not None:
        catalogue = sources.attributes(data.library)
        if catalogue is not None:
            library = Library(data.library).label
            for code in data.fields:
                attribute = catalogue.get(code)
                if attribute is None:
                    problems.append(
                        Problem(f"fields.{code}", "unknown", f"{library}没有数据项“{code}”。")
                    )
                elif attribute.owner_id != data.owner.pk:
                    owner = Department.objects.filter(pk=attribute.owner_id).first()
                    problems.append(
                        Problem(
                            f"fields.{code}",
                            "not_owner",
                            f"数据项“{attribute.name}”的权威来源部门是"
                            f"{owner.name if owner else '其他部门'}，"
                            f"{data.owner.name}不能作为提供部门共享它。",
                        )
                    )
    if resource is not None:
        problems += _removal_problems(resource, set(data.fields))
    return problems


def _removal_problems(resource: Resource, kept: set[str]) -> list[Problem]:
    """Items still covered by a pending request or an approval in force stay."""
    removed = set(resource.fields.values_list("code", flat=True)) - kept
    if not removed:
        return []
    names = dict(resource.fields.values_list("code", "name"))
    today = timezone.localdate()
    live = Approval.objects.filter(
        resource=resource,
        status__in=[Approval.Status.PENDING, Approval.Status.APPROVED],
        valid_until__gte=today,
    ).select_related("requester")
    problems = []
    for code in sorted(removed):
        users = sorted({a.requester.name for a in live if code in a.fields})
        if users:
            problems.append(
                Problem(
                    f"fields.{code}",
                    "in_use",
                    f"数据项“{names.get(code, code)}”仍在{'、'.join(users)}的共享授权或申请范围内，"
                    "不能删除；请先撤销授权或待其到期。",
                )
            )
    return problems


def save(user, data: ResourceData, resource: Resource | None = None) -> Resource:
    """Register a resource (``resource`` None) or change one, with its data items; every
    problem is refused at once, each naming its field."""
    allowed = registering_departments(user)
    if resource is not None and not allowed.filter(pk=resource.owner_id).exists():
        raise deny("只有提供部门的审批人员或大厅管理员可以修改该共享资源。")
    if data.owner is None or not allowed.filter(pk=data.owner.pk).exists():
        raise deny("您不是该部门的审批人员或大厅管理员，不能以该部门名义登记共享资源。", "owner")
    if resource is not None and data.owner.pk != resource.owner_id:
        raise deny("共享资源的提供部门不能变更；请由新的提供部门重新登记。", "owner")
    problems = _problems(data, resource)
    if problems:
        raise Refusal(problems)
    catalogue = sources.attributes(data.library) or {}
    reason = "登记共享资源" if resource is None else "修改共享资源"
    with transaction.atomic(), _acting(user, reason):
        if resource is not None:
            resource = Resource.objects.select_for_update().get(pk=resource.pk)
            problems = _removal_problems(resource, set(data.fields))  # a request meanwhile
            if problems:
                raise Refusal(problems)
        resource = resource or Resource()
        resource.code = data.code
        resource.name = data.name
        resource.description = data.description
        resource.owner = data.owner
        resource.library = data.library
        resource.sharing_type = data.sharing_type
        resource.sharing_condition = data.sharing_condition
        resource.update_cycle = data.update_cycle
        resource.legal_basis = data.legal_basis
        resource.is_active = data.is_active
        resource.save()
        existing = {f.code: f for f in resource.fields.all()}
        for code, item in existing.items():
            if code not in data.fields:
                item.delete()  # audited, one entry per item
        for order, code in enumerate(data.fields):
            name = catalogue[code].name if code in catalogue else code
            item = existing.get(code)
            if item is None:
                ResourceField.objects.create(
                    resource=resource, code=code, name=name[:60], sort_order=order
                )
            elif (item.sort_order, item.name) != (order, name[:60]):
                item.sort_order, item.name = order, name[:60]
                item.save()
    return resource
