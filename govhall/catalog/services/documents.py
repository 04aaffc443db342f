"""The item document: one dictionary shape for the API, Excel, JSON export, data files and diffs.

``normalize(raw)`` turns loosely typed input (JSON, Excel cells, form data) into a clean
document and a list of problems naming the field and the rule; ``version_document``
reads a stored version into the same shape; ``write_content`` stores a clean document
into a draft version; ``diff`` compares two documents field by field. Keeping one
shape means the rules in ``rules.py`` apply identically to every way in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model

from govhall.core.errors import Problem, Refusal
from govhall.regions.models import Department

from ..models import (
    FAQ,
    Audience,
    CaseType,
    ChangeType,
    Depth,
    Fee,
    HandlingScope,
    Item,
    ItemRelation,
    ItemType,
    ItemVersion,
    Material,
    MaterialMedia,
    MaterialSource,
    RelationKind,
    RiskLevel,
    SpecialProcedure,
    SpecialProcedureKind,
    Step,
    Theme,
)
from ..models.choices import STEP_POSTS
from . import forms

CHANNELS = {
    "online": "channel_online",
    "mobile": "channel_mobile",
    "counter": "channel_counter",
    "kiosk": "channel_kiosk",
    "post": "channel_post",
}
CHANNEL_LABELS = {
    "online": "电脑端网上办理",
    "mobile": "移动端办理",
    "counter": "窗口办理",
    "kiosk": "自助终端办理",
    "post": "快递申请",
}
DELIVERY = {
    "pickup": "delivery_pickup",
    "post": "delivery_post",
    "electronic": "delivery_electronic",
}
DELIVERY_LABELS = {"pickup": "窗口领取", "post": "邮寄送达", "electronic": "电子送达"}
AUDIENCE_ALIASES = {"person": "1", "company": "2"}

TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "√", "需要", "必需", "必要"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "×", "不需要", "非必需", "非必要", ""}


@dataclass(frozen=True)
class F:
    """How one scalar field of the document is checked and stored."""

    name: str
    kind: str = "text"  # text, int, bool, choice, decimal
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False
    minimum: int | None = None
    maximum: int | None = None


def _f(model: type[Model], name: str, **kwargs) -> F:
    field = model._meta.get_field(name)
    if "max_length" not in kwargs and getattr(field, "max_length", None):
        kwargs["max_length"] = field.max_length
    return F(name, **kwargs)


def _label(model: type[Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


V = ItemVersion
SCALARS: list[F] = [
    _f(V, "name", required=True),
    _f(V, "aliases"),
    _f(V, "legal_basis"),
    _f(V, "joint_departments"),
    _f(V, "intermediary_services"),
    _f(V, "quantity_limit"),
    _f(V, "handling_scope", kind="choice", choices=tuple(HandlingScope.values)),
    _f(V, "conditions"),
    _f(V, "statutory_limit_days", kind="int", nullable=True, minimum=0, maximum=3650),
    _f(V, "statutory_limit_note"),
    _f(V, "promised_limit_days", kind="int", required=True, minimum=0, maximum=3650),
    _f(V, "promised_limit_note"),
    _f(V, "case_type", kind="choice", required=True, choices=tuple(CaseType.values)),
    _f(V, "has_fee", kind="bool"),
    _f(V, "fee_basis"),
    _f(V, "visits", kind="int", minimum=0, maximum=99),
    _f(V, "visits_reason"),
    _f(V, "depth", kind="int", required=True, minimum=1, maximum=4),
    _f(V, "min_realname_level", kind="int", minimum=1, maximum=3),
    _f(V, "supports_appointment", kind="bool"),
    _f(V, "supports_online_payment", kind="bool"),
    _f(V, "supports_logistics", kind="bool"),
    _f(V, "result_name"),
    _f(V, "result_licence_type"),
    _f(V, "result_sample"),
    _f(V, "repeat_while_held", kind="bool"),
    _f(V, "location"),
    _f(V, "office_hours"),
    _f(V, "consultation_phone"),
    _f(V, "supervision_phone"),
    _f(V, "manual_notes"),
    _f(V, "change_type", kind="choice", choices=tuple(ChangeType.values)),
    _f(V, "change_summary"),
]
SCALAR_NAMES = [f.name for f in SCALARS]
DEFAULTS: dict[str, Any] = {
    "handling_scope": HandlingScope.LOCAL.value,
    "has_fee": False,
    "visits": 0,
    "min_realname_level": 1,
    "supports_appointment": False,
    "supports_online_payment": False,
    "supports_logistics": False,
    "repeat_while_held": True,
    "statutory_limit_days": None,
    "change_type": ChangeType.NEW.value,
}

CHILDREN: dict[str, tuple[type[Model], list[F]]] = {
    "materials": (
        Material,
        [
            _f(Material, "code"),
            _f(Material, "name", required=True),
            _f(Material, "issuer"),
            _f(Material, "originals", kind="int", minimum=0, maximum=99),
            _f(Material, "copies", kind="int", minimum=0, maximum=99),
            _f(Material, "required", kind="bool"),
            _f(Material, "condition"),
            _f(Material, "media", kind="choice", choices=tuple(MaterialMedia.values)),
            _f(Material, "source", kind="choice", choices=tuple(MaterialSource.values)),
            _f(Material, "licence_type_code"),
            _f(Material, "licence_type_name"),
            _f(Material, "shared_data_source"),
            _f(Material, "requirements"),
        ],
    ),
    "steps": (
        Step,
        [
            _f(Step, "name", required=True),
            _f(Step, "post", kind="choice", required=True, choices=tuple(p for p, _ in STEP_POSTS)),
            _f(Step, "time_limit_days", kind="int", minimum=0, maximum=3650),
            _f(Step, "may_return", kind="bool"),
            _f(Step, "criteria"),
            _f(Step, "result"),
            _f(Step, "risk_points"),
            _f(Step, "risk_level", kind="choice", choices=("", *RiskLevel.values)),
            _f(Step, "risk_controls"),
        ],
    ),
    "fees": (
        Fee,
        [
            _f(Fee, "name", required=True),
            _f(Fee, "standard", required=True),
            _f(Fee, "amount", kind="decimal", nullable=True),
            _f(Fee, "basis"),
            _f(Fee, "reducible", kind="bool"),
            _f(Fee, "reduction_conditions"),
        ],
    ),
    "special_procedures": (
        SpecialProcedure,
        [
            _f(
                SpecialProcedure,
                "kind",
                kind="choice",
                required=True,
                choices=tuple(SpecialProcedureKind.values),
            ),
            _f(SpecialProcedure, "name", required=True),
            _f(SpecialProcedure, "time_limit_days", kind="int", nullable=True, minimum=0),
            _f(SpecialProcedure, "note"),
        ],
    ),
    "faqs": (
        FAQ,
        [_f(FAQ, "question", required=True), _f(FAQ, "answer", required=True)],
    ),
}
CHILD_DEFAULTS: dict[str, dict[str, Any]] = {
    "materials": {
        "originals": 0,
        "copies": 0,
        "required": True,
        "media": MaterialMedia.BOTH.value,
        "source": MaterialSource.APPLICANT.value,
    },
    "steps": {"time_limit_days": 0, "may_return": True, "risk_level": ""},
    "fees": {"amount": None, "reducible": False, "reduction_conditions": ""},
    "special_procedures": {"time_limit_days": None},
    "faqs": {},
}
CHILD_LABELS = {
    "materials": "申请材料",
    "steps": "办理环节",
    "fees": "收费项目",
    "special_procedures": "特别程序",
    "faqs": "常见问题",
    "relations": "事项关系",
}
LIST_LABELS = {
    "audiences": "服务对象",
    "themes": "服务主题",
    "channels": "办理渠道",
    "delivery": "送达方式",
}
# JSON definitions checked by catalog.services.forms.
JSON_KEYS = {"form_fields": "申请表单", "decision_rules": "秒批规则"}
CONTENT_KEYS = [
    *SCALAR_NAMES,
    *JSON_KEYS,
    "audiences",
    "themes",
    "channels",
    "delivery",
    *CHILDREN,
    "relations",
]
# Keys compared to decide whether a loaded document changes anything.
COMPARED_KEYS = [k for k in CONTENT_KEYS if k not in ("change_type", "change_summary")]


def field_label(name: str) -> str:
    """The Chinese label of a document key (for messages, Excel headers and diffs)."""
    if name in LIST_LABELS:
        return LIST_LABELS[name]
    if name in CHILD_LABELS:
        return CHILD_LABELS[name]
    return _label(ItemVersion, name)


def child_label(key: str, name: str) -> str:
    if key == "relations":
        return {"kind": "关系", "target": "关联事项实施编码", "note": "说明"}[name]
    return _label(CHILDREN[key][0], name)


# --- normalising input ------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _coerce(spec: F, value: Any, path: str, label: str, problems: list[Problem]) -> Any:
    """One scalar: convert, range-check; append a problem naming ``path`` when invalid."""
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        word = _text(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        problems.append(Problem(path, "boolean", f"{label}须填写“是”或“否”，不能是“{value}”。"))
        return None
    text = _text(value)
    if spec.kind == "int":
        if text == "":
            if spec.required:
                problems.append(Problem(path, "required", f"{label}为必填项。"))
            return None
        try:
            number = int(Decimal(text))
            if Decimal(text) != number:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append(Problem(path, "integer", f"{label}须为整数，不能是“{text}”。"))
            return None
        if spec.minimum is not None and number < spec.minimum:
            problems.append(Problem(path, "min_value", f"{label}不能小于{spec.minimum}。"))
        if spec.maximum is not None and number > spec.maximum:
            problems.append(Problem(path, "max_value", f"{label}不能大于{spec.maximum}。"))
        return number
    if spec.kind == "decimal":
        if text == "":
            return None
        try:
            amount = Decimal(text).quantize(Decimal("0.01"))
        except InvalidOperation:
            problems.append(Problem(path, "decimal", f"{label}须为金额数字，不能是“{text}”。"))
            return None
        if amount < 0:
            problems.append(Problem(path, "min_value", f"{label}不能为负数。"))
        return str(amount)
    if spec.kind == "choice":
        if text == "" and not spec.required and "" in spec.choices:
            return ""
        if text == "" and spec.required:
            problems.append(Problem(path, "required", f"{label}为必填项。"))
            return None
        if text not in spec.choices:
            allowed = "、".join(c for c in spec.choices if c)
            problems.append(
                Problem(path, "choice", f"{label}的值“{text}”无效，应为以下之一：{allowed}。")
            )
            return None
        return text
    if spec.required and not text:
        problems.append(Problem(path, "required", f"{label}为必填项。"))
    if spec.max_length and len(text) > spec.max_length:
        problems.append(
            Problem(
                path,
                "max_length",
                f"{label}不能超过{spec.max_length}个字符（当前{len(text)}个）。",
            )
        )
    return text


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        for sep in "，、;；\n":
            value = value.replace(sep, ",")
        return [part.strip() for part in value.split(",") if part.strip()]
    return [_text(v) for v in value if _text(v)]


def _code_list(
    value: Any, allowed: dict[str, str] | list[str], key: str, problems: list[Problem]
) -> list[str]:
    """A set-like list field (channels, delivery, audiences): keeps the canonical order."""
    items = _string_list(value)
    order = list(allowed)
    bad = [v for v in items if v not in order]
    if bad:
        problems.append(
            Problem(
                key,
                "choice",
                f"“{field_label(key)}”含无效值“{'、'.join(bad)}”，应为：{'、'.join(order)}。",
            )
        )
    return [v for v in order if v in items]


def normalize(raw: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Clean a document's content and identity keys; return it with every problem found."""
    problems: list[Problem] = []
    doc: dict[str, Any] = {}
    for spec in SCALARS:
        value = raw.get(spec.name)
        if value in (None, "") and spec.name in DEFAULTS:
            value = DEFAULTS[spec.name]
        if value in (None, "") and spec.nullable:
            doc[spec.name] = None
            continue
        label = f"“{field_label(spec.name)}”"
        doc[spec.name] = _coerce(spec, value, spec.name, label, problems)
    audiences = [AUDIENCE_ALIASES.get(a, a) for a in _string_list(raw.get("audiences"))]
    doc["audiences"] = _code_list(audiences, Audience.values, "audiences", problems)
    doc["themes"] = sorted(set(_string_list(raw.get("themes"))))
    doc["channels"] = _code_list(raw.get("channels"), CHANNELS, "channels", problems)
    doc["delivery"] = _code_list(raw.get("delivery", ["pickup"]), DELIVERY, "delivery", problems)
    for key, (_model, specs) in CHILDREN.items():
        rows = raw.get(key) or []
        if not isinstance(rows, list):
            problems.append(Problem(key, "list", f"“{field_label(key)}”须为列表。"))
            rows = []
        clean_rows = []
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                problems.append(
                    Problem(
                        f"{key}[{index}]", "object", f"第{index + 1}项{field_label(key)}格式无效。"
                    )
                )
                continue
            clean: dict[str, Any] = {}
            for spec in specs:
                value = row.get(spec.name)
                if value in (None, "") and spec.name in CHILD_DEFAULTS[key]:
                    value = CHILD_DEFAULTS[key][spec.name]
                if value in (None, "") and spec.nullable:
                    clean[spec.name] = None
                    continue
                label = f"第{index + 1}项{field_label(key)}的“{child_label(key, spec.name)}”"
                clean[spec.name] = _coerce(
                    spec, value, f"{key}[{index}].{spec.name}", label, problems
                )
            clean_rows.append(clean)
        doc[key] = clean_rows
    _number_materials(doc["materials"])
    for index, row in enumerate(
        raw.get("steps") or [] if isinstance(raw.get("steps"), list) else []
    ):
        if isinstance(row, dict) and index < len(doc["steps"]):
            value = row.get("department")
            doc["steps"][index]["department"] = (
                _text(getattr(value, "credit_code", value)).upper() or None
            )
    doc["form_fields"], form_problems = forms.check_form_fields(raw.get("form_fields"))
    doc["decision_rules"], rule_problems = forms.check_decision_rules(raw.get("decision_rules"))
    problems.extend(form_problems + rule_problems)
    relations = []
    raw_relations = raw.get("relations") or []
    if not isinstance(raw_relations, list):
        problems.append(Problem("relations", "list", "“事项关系”须为列表。"))
        raw_relations = []
    for index, row in enumerate(raw_relations):
        if not isinstance(row, dict):
            problems.append(
                Problem(f"relations[{index}]", "object", f"第{index + 1}项事项关系格式无效。")
            )
            continue
        kind = _text(row.get("kind"))
        if kind not in RelationKind.values:
            problems.append(
                Problem(
                    f"relations[{index}].kind",
                    "choice",
                    f"第{index + 1}项事项关系的类型“{kind}”无效，应为："
                    f"{'、'.join(RelationKind.values)}。",
                )
            )
        relations.append(
            {"kind": kind, "target": _text(row.get("target")), "note": _text(row.get("note"))}
        )
    doc["relations"] = relations
    # identity keys are passed through for the loader; rules check them.
    for key in ("department", "basic_code", "item_type", "parent", "implementation_code"):
        if key in raw:
            value = raw.get(key)
            value = getattr(value, "credit_code", None) or getattr(
                value, "implementation_code", value
            )
            doc[key] = _text(value) or None
    return doc, problems


def _number_materials(materials: list[dict[str, Any]]) -> None:
    """Give materials without a code the next free ``M<nn>`` so scenarios can refer to them."""
    used = {m["code"] for m in materials if m.get("code")}
    counter = 1
    for material in materials:
        if material.get("code"):
            continue
        while f"M{counter:02d}" in used:
            counter += 1
        material["code"] = f"M{counter:02d}"
        used.add(material["code"])


def clean_or_raise(raw: dict[str, Any]) -> dict[str, Any]:
    doc, problems = normalize(raw)
    if problems:
        raise Refusal(problems)
    return doc


# --- reading a stored version -----------------------------------------------------------


def _scalar_value(version: ItemVersion, spec: F) -> Any:
    value = getattr(version, spec.name)
    return value


def _child_value(value: Any, spec: F) -> Any:
    if spec.kind == "decimal" and value is not None:
        return str(Decimal(value).quantize(Decimal("0.01")))
    return value


RELATED_NAMES = {
    "materials": "materials",
    "steps": "steps",
    "fees": "fees",
    "special_procedures": "special_procedures",
    "faqs": "faqs",
}


def with_content(queryset):
    """Prefetch everything ``version_document`` reads, for exports of many versions."""
    return queryset.select_related("item__department", "item__parent").prefetch_related(
        *RELATED_NAMES.values(), "themes", "relations__target"
    )


def _rows(version: ItemVersion, name: str) -> list:
    """A version's rows in order, from the prefetch cache when there is one."""
    return sorted(getattr(version, name).all(), key=lambda r: (r.sort_order, r.pk))


def content_document(version: ItemVersion) -> dict[str, Any]:
    """The editable content of a version, in document shape."""
    doc: dict[str, Any] = {spec.name: _scalar_value(version, spec) for spec in SCALARS}
    doc["audiences"] = [c for c in Audience.values if c in version.audience_codes]
    doc["themes"] = sorted(t.code for t in version.themes.all())
    doc["channels"] = [k for k, f in CHANNELS.items() if getattr(version, f)]
    doc["delivery"] = [k for k, f in DELIVERY.items() if getattr(version, f)]
    for key, (_model, specs) in CHILDREN.items():
        doc[key] = [
            {s.name: _child_value(getattr(r, s.name), s) for s in specs}
            for r in _rows(version, RELATED_NAMES[key])
        ]
    for row, step in zip(doc["steps"], _rows(version, "steps"), strict=True):
        row["department"] = step.department.credit_code if step.department_id else None
    doc["form_fields"] = version.form_fields or []
    doc["decision_rules"] = version.decision_rules or {}
    doc["relations"] = [
        {"kind": r.kind, "target": r.target.implementation_code, "note": r.note}
        for r in _rows(version, "relations")
    ]
    return doc


def version_document(version: ItemVersion) -> dict[str, Any]:
    """Identity + content + version facts: the JSON export of one version."""
    item = version.item
    doc = {
        "implementation_code": item.implementation_code,
        "basic_code": item.basic_code,
        "item_type": item.item_type,
        "department": item.department.credit_code,
        "department_name": item.department.name,
        "region": item.region_id,
        "exercise_level": item.exercise_level,
        "parent": item.parent.implementation_code if item.parent_id else None,
        "status": item.status,
        "version": version.number,
        "state": version.state,
        "published_at": version.published_at.isoformat() if version.published_at else None,
    }
    doc.update(content_document(version))
    return doc


# --- writing a draft --------------------------------------------------------------------


def write_content(version: ItemVersion, doc: dict[str, Any]) -> None:
    """Store a clean document's content into ``version`` (a draft), replacing its rows."""
    for spec in SCALARS:
        setattr(version, spec.name, doc[spec.name])
    version.audience_codes = "".join(doc["audiences"])
    version.form_fields = doc.get("form_fields") or []
    version.decision_rules = doc.get("decision_rules") or {}
    for key, field in CHANNELS.items():
        setattr(version, field, key in doc["channels"])
    for key, field in DELIVERY.items():
        setattr(version, field, key in doc["delivery"])
    version.save()
    themes = list(Theme.objects.filter(code__in=doc["themes"]))
    missing = sorted(set(doc["themes"]) - {t.code for t in themes})
    if missing:
        raise Refusal(
            Problem("themes", "unknown_theme", f"服务主题编码“{'、'.join(missing)}”不存在。")
        )
    version.themes.set(themes)
    step_departments = _step_departments(doc["steps"])
    for key, (model, specs) in CHILDREN.items():
        model.objects.filter(version=version).delete()
        model.objects.bulk_create(
            model(
                version=version,
                sort_order=index,
                **{s.name: row[s.name] for s in specs},
                **(
                    {"department": step_departments.get(row.get("department"))}
                    if key == "steps"
                    else {}
                ),
            )
            for index, row in enumerate(doc[key])
        )
    version.relations.all().delete()
    targets = {
        i.implementation_code: i
        for i in Item.objects.filter(
            implementation_code__in=[r["target"] for r in doc["relations"]]
        )
    }
    problems = []
    rows = []
    for index, relation in enumerate(doc["relations"]):
        target = targets.get(relation["target"])
        if target is None:
            problems.append(
                Problem(
                    f"relations[{index}].target",
                    "unknown_item",
                    f"第{index + 1}项事项关系的关联事项“{relation['target']}”不存在。",
                )
            )
            continue
        rows.append(
            ItemRelation(
                version=version,
                sort_order=index,
                kind=relation["kind"],
                target=target,
                note=relation["note"],
            )
        )
    if problems:
        raise Refusal(problems)
    ItemRelation.objects.bulk_create(rows)


def _step_departments(steps: list[dict[str, Any]]) -> dict[str, Department]:
    """Departments named by steps handled at another level (跨层级), by credit code."""
    codes = {s["department"] for s in steps if s.get("department")}
    found = {d.credit_code: d for d in Department.objects.filter(credit_code__in=codes)}
    missing = [
        Problem(
            f"steps[{i}].department",
            "unknown_department",
            f"第{i + 1}项办理环节的办理部门“{s['department']}”不存在。",
        )
        for i, s in enumerate(steps)
        if s.get("department") and s["department"] not in found
    ]
    if missing:
        raise Refusal(missing)
    return found


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in COMPARED_KEYS)


# --- diffs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two versions, ready for display."""

    field: str
    label: str
    kind: str  # "changed", "added", "removed"
    before: Any
    after: Any


def _display(value: Any) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（空）"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_display(v)}" for k, v in value.items() if v not in ("", None))
    return str(value) if value != "" else "（空）"


def _row_key(key: str, row: dict[str, Any], index: int) -> Any:
    if key == "materials":
        return row.get("code")
    if key == "fees":
        return row.get("name")
    if key == "faqs":
        return row.get("question")
    if key == "relations":
        return (row.get("kind"), row.get("target"))
    return index  # steps and special procedures are compared by position


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Field-by-field differences from ``old`` to ``new`` (two documents)."""
    changes: list[Change] = []
    for name in [*SCALAR_NAMES, *LIST_LABELS]:
        if name in ("change_type", "change_summary"):
            continue
        if old.get(name) != new.get(name):
            changes.append(
                Change(
                    name,
                    field_label(name),
                    "changed",
                    _display(old.get(name)),
                    _display(new.get(name)),
                )
            )
    for key in [*CHILDREN, "relations"]:
        before = {_row_key(key, r, i): r for i, r in enumerate(old.get(key) or [])}
        after = {_row_key(key, r, i): r for i, r in enumerate(new.get(key) or [])}
        label = field_label(key)
        for row_key, row in before.items():
            if row_key not in after:
                changes.append(Change(key, label, "removed", _display(row), ""))
            elif after[row_key] != row:
                changed = {
                    k: (row.get(k), after[row_key].get(k))
                    for k in row
                    if row.get(k) != after[row_key].get(k)
                }
                name = row.get("name") or row.get("question") or row.get("target") or row_key
                for field, (a, b) in changed.items():
                    changes.append(
                        Change(
                            f"{key}.{field}",
                            f"{label}“{name}”的{child_label(key, field)}",
                            "changed",
                            _display(a),
                            _display(b),
                        )
                    )
        for row_key, row in after.items():
            if row_key not in before:
                changes.append(Change(key, label, "added", "", _display(row)))
    return changes


def item_type_label(code: str) -> str:
    return str(ItemType(code).label)


def depth_label(value: int) -> str:
    return str(Depth(value).label)
