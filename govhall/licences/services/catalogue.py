"""The licence-type catalogue (通用目录) seen from the service catalogue, and its editing.

A type's 发证清单 (items that issue it) and 用证清单 (items that accept it as a
material) are not stored: they are read from the published catalogue — the current
version's ``result_licence_type`` and its materials' ``licence_type_code`` — so they can
never drift from the service guides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.template import TemplateSyntaxError, engines

from govhall.catalog.models import Item, Material
from govhall.core.errors import refuse
from govhall.core.identifiers import validate_credit_code
from govhall.core.services import audit
from govhall.regions.models import Department, Post, Region
from govhall.regions.services.scope import scope_of

from ..models import HolderKind, Licence, LicenceType
from .issuing import FIELD_TYPES

LIST_LIMIT = 200
FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TYPE_CODE = re.compile(r"^[0-9A-Z]{18}[0-9]{3}$")
FIELD_TYPE_LABELS = {"text": "文本", "date": "日期", "number": "数字"}


# --- reading ----------------------------------------------------------------------------


def public_types(query: str = "") -> QuerySet[LicenceType]:
    rows = LicenceType.objects.filter(is_active=True)
    query = (query or "").strip()
    if query:
        rows = rows.filter(name__icontains=query[:50])
    return rows.order_by("name", "code")


def _published(region: Region | None) -> QuerySet[Item]:
    rows = Item.objects.published().select_related("department", "region", "current")
    if region is not None:
        rows = rows.in_region(region, descendants=True)
    return rows.order_by("region__code", "name", "implementation_code")


def issuing_items(licence_type: LicenceType, region: Region | None = None) -> QuerySet[Item]:
    """发证清单: published items whose current version issues this type."""
    return _published(region).filter(current__result_licence_type=licence_type.code)


def using_items(licence_type: LicenceType, region: Region | None = None) -> QuerySet[Item]:
    """用证清单: published items whose current version takes this type as a material."""
    return _published(region).filter(current__materials__licence_type_code=licence_type.code)


@dataclass(frozen=True)
class UsingRow:
    item: Item
    materials: tuple[str, ...]  # the material names this licence stands in for


@dataclass(frozen=True)
class TypeLists:
    issuing: list[Item]
    issuing_count: int
    using: list[UsingRow]
    using_count: int
    limit: int


def lists_of(
    licence_type: LicenceType, region: Region | None = None, limit: int = LIST_LIMIT
) -> TypeLists:
    """Both lists, each cut at ``limit`` rows (the counts say how many there are)."""
    issuing = issuing_items(licence_type, region)
    using_ids = using_items(licence_type, region).values("pk").distinct()
    using = _published(region).filter(pk__in=using_ids)
    using_page = list(using[:limit])
    names: dict[int, list[str]] = {}
    for version_id, name in (
        Material.objects.filter(
            version_id__in=[item.current_id for item in using_page],
            licence_type_code=licence_type.code,
        )
        .order_by("sort_order", "pk")
        .values_list("version_id", "name")
    ):
        names.setdefault(version_id, []).append(name)
    return TypeLists(
        issuing=list(issuing[:limit]),
        issuing_count=issuing.count(),
        using=[UsingRow(item, tuple(names.get(item.current_id, ()))) for item in using_page],
        using_count=using.count(),
        limit=limit,
    )


# --- editing ----------------------------------------------------------------------------


def can_edit_types(user) -> bool:
    """The 通用目录 is province-wide: superusers and hall administrators edit it."""
    scope = scope_of(user)
    return scope.is_superuser or any(held.post == Post.HALL_ADMIN for held in scope.posts)


def clean_fields(value) -> list[dict]:
    """The type's 照面信息项: a list of {name, label, type, required}; errors name the row."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise refuse("fields", "not_list", "“照面信息项”须为JSON数组，每项是一个对象。")
    cleaned, seen = [], set()
    for index, field in enumerate(value, start=1):
        at = f"“照面信息项”第{index}项"
        if not isinstance(field, dict):
            raise refuse("fields", "not_object", f"{at}须为对象。")
        unknown = set(field) - {"name", "label", "type", "required"}
        if unknown:
            raise refuse(
                "fields", "unknown_key", f"{at}含有不支持的键：{'、'.join(sorted(unknown))}。"
            )
        name = field.get("name")
        if not isinstance(name, str) or not FIELD_NAME.match(name) or len(name) > 40:
            raise refuse(
                "fields",
                "name",
                f"{at}的name须由小写字母、数字和下划线组成，以字母或下划线开头，不超过40个字符。",
            )
        if name in seen:
            raise refuse("fields", "duplicate", f"{at}的name“{name}”与前面的项重复。")
        seen.add(name)
        label = field.get("label")
        if not isinstance(label, str) or not label.strip() or len(label.strip()) > 50:
            raise refuse("fields", "label", f"{at}须有label（中文名称，不超过50个字符）。")
        kind = field.get("type", "text")
        if kind not in FIELD_TYPES:
            raise refuse(
                "fields", "type", f"{at}的type须为text（文本）、date（日期）或number（数字）。"
            )
        required = field.get("required", False)
        if not isinstance(required, bool):
            raise refuse("fields", "required", f"{at}的required须为true或false。")
        cleaned.append({"name": name, "label": label.strip(), "type": kind, "required": required})
    return cleaned


def _text(values: dict, key: str, label: str, max_length: int, *, required: bool) -> str:
    value = values.get(key)
    value = value.strip() if isinstance(value, str) else ("" if value is None else str(value))
    if required and not value:
        raise refuse(key, "required", f"“{label}”为必填项。")
    if len(value) > max_length:
        raise refuse(key, "max_length", f"“{label}”不能超过{max_length}个字符。")
    return value


def _departments(codes) -> list[Department]:
    codes = [str(c).strip().upper() for c in codes or [] if str(c).strip()]
    found = {d.credit_code: d for d in Department.objects.filter(credit_code__in=codes)}
    for code in codes:
        if code not in found:
            raise refuse(
                "issuing_departments", "unknown", f"“签发部门”中的统一社会信用代码“{code}”不存在。"
            )
    return [found[code] for code in dict.fromkeys(codes)]


def clean_type(values: dict, instance: LicenceType | None = None) -> dict:
    """Every rule of a licence type; each refusal names its field and the rule."""
    has_licences = instance is not None and instance.pk and instance.licences.exists()
    out = {
        "name": _text(values, "name", "证照类型名称", 100, required=True),
        "defining_body": _text(values, "defining_body", "证照定义机构", 100, required=True),
    }
    body_code = validate_credit_code(values.get("defining_body_code") or "")
    if not body_code.valid:
        raise refuse(
            "defining_body_code",
            "credit_code",
            f"“定义机构统一社会信用代码”不正确：{body_code.errors[0].message}",
        )
    out["defining_body_code"] = body_code.normalized
    code = _text(values, "code", "证照类型代码", 21, required=True).upper()
    if not TYPE_CODE.match(code):
        raise refuse(
            "code", "format", "“证照类型代码”须为21位：定义机构统一社会信用代码（18位）+3位顺序号。"
        )
    if code[:18] != out["defining_body_code"]:
        raise refuse(
            "code", "defining_body", "“证照类型代码”的前18位须与“定义机构统一社会信用代码”一致。"
        )
    if has_licences and code != instance.code:
        raise refuse("code", "locked", "已有证照使用该类型，不能修改“证照类型代码”。")
    clash = LicenceType.objects.filter(code=code)
    if instance is not None and instance.pk:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise refuse("code", "unique", f"证照类型代码“{code}”已存在。")
    out["code"] = code
    holder_kind = values.get("holder_kind")
    if holder_kind not in HolderKind.values:
        raise refuse("holder_kind", "choice", "请选择“持证主体类别”：自然人或法人和其他组织。")
    if has_licences and holder_kind != instance.holder_kind:
        raise refuse("holder_kind", "locked", "已有证照使用该类型，不能修改“持证主体类别”。")
    out["holder_kind"] = holder_kind
    out["fields"] = clean_fields(values.get("fields"))
    years = values.get("validity_years", 0)
    try:
        years = int(str(years if years not in (None, "") else 0).strip())
    except ValueError:
        years = -1
    if not 0 <= years <= 100:
        raise refuse("validity_years", "range", "“有效期（年）”须为0–100的整数，0表示长期有效。")
    out["validity_years"] = years
    out["number_prefix"] = _text(values, "number_prefix", "证照编号前缀", 20, required=False)
    template = values.get("template") or ""
    try:
        engines["django"].from_string(template)
    except TemplateSyntaxError as exc:
        raise refuse("template", "syntax", f"“照面模板”有语法错误：{exc}") from None
    out["template"] = template
    out["is_active"] = bool(values.get("is_active", True))
    out["issuing_departments"] = _departments(values.get("issuing_departments"))
    return out


def _state(licence_type: LicenceType) -> dict:
    data = audit.snapshot(licence_type)
    data.pop("updated_at", None)
    data["issuing_departments"] = sorted(
        licence_type.issuing_departments.values_list("credit_code", flat=True)
    )
    return data


@transaction.atomic
def save_type(user, values: dict, instance: LicenceType | None = None) -> LicenceType:
    """Create or update a licence type (superusers and hall administrators only)."""
    if not can_edit_types(user):
        raise refuse("type", "not_allowed", "只有大厅管理员可以编辑电子证照目录。")
    if instance is not None:
        instance = LicenceType.objects.select_for_update().get(pk=instance.pk)
    cleaned = clean_type(values, instance)
    departments = cleaned.pop("issuing_departments")
    before = _state(instance) if instance is not None else None
    licence_type = instance or LicenceType()
    for key, value in cleaned.items():
        setattr(licence_type, key, value)
    licence_type.save()
    licence_type.issuing_departments.set(departments)
    after = _state(licence_type)
    before, after = audit.changed_fields(before, after)
    audit.record(
        audit.AuditEntry.Action.CREATE if before is None else audit.AuditEntry.Action.UPDATE,
        instance=licence_type,
        before=before,
        after=after,
        reason="新增电子证照类型" if before is None else "修改电子证照类型",
    )
    return licence_type


# --- the staff desk's reach ---------------------------------------------------------------


def staff_licences(user) -> QuerySet[Licence]:
    """Licences a staff member manages: those issued by their own departments (not the
    regions below a hall administrator — only the issuer signs for a licence)."""
    scope = scope_of(user)
    rows = Licence.objects.select_related("type", "issuer", "current")
    if scope.is_superuser:
        return rows
    return rows.filter(issuer_id__in=scope.department_ids)


def key_departments(user) -> QuerySet[Department]:
    """Departments whose keys the user sees: their own (superusers: every issuer)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Department.objects.filter(issuer_keys__isnull=False).distinct()
    return Department.objects.filter(pk__in=scope.department_ids)


def can_rotate_key(user, department: Department) -> bool:
    """Rotation is an approver's or a hall administrator's decision for their department."""
    scope = scope_of(user)
    return scope.has_post(Post.APPROVER, department) or scope.has_post(Post.HALL_ADMIN, department)
