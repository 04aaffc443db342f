"""Application forms and automatic-approval rules, as catalogue content (data, not code).

A catalogue editor defines, per item version, the fields an applicant fills in
(``form_fields``) and, for rule-decidable items (秒批), the rules that decide at
submission (``decision_rules``). This module checks both definitions when a version
is saved and checks an applicant's answers against a form. The case engine evaluates
the rules (``govhall.cases.services.auto_approval``); the shapes live here so the
catalogue never stores a definition the engine cannot run.

Form field::

    {"name": "household_size", "label": "家庭人口", "type": "integer", "required": true,
     "min": 1, "max": 20, "help": "...", "show_if": {"field": "married", "equals": true}}

Types: text, textarea, integer, decimal, date, choice (``choices``: list of strings),
boolean, id_number, credit_code, phone, email. ``show_if`` makes a field conditional:
it is asked (and required) only when the other field has that value.

Decision rules::

    {"review_days": 5, "rules": [
        {"code": "R1", "description": "申请人年满18周岁",
         "fact": "applicant.age", "op": ">=", "value": 18},
        {"code": "R2", "description": "持有居民户口簿", "fact": "licence:11100000000000000A",
         "op": "held"}]}

Every rule must hold for approval; the answer lists each rule and whether it held.
Facts: ``form.<field>``, ``applicant.<age|realname_level|region|kind>``,
``licence:<licence type code>`` and ``shared:<source>`` (held or not).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from govhall.core.errors import Problem
from govhall.core.identifiers import validate_credit_code, validate_id_number

FIELD_TYPES = {
    "text": "文本",
    "textarea": "多行文本",
    "integer": "整数",
    "decimal": "数字",
    "date": "日期",
    "choice": "单选",
    "boolean": "是/否",
    "id_number": "身份证号码",
    "credit_code": "统一社会信用代码",
    "phone": "手机号码",
    "email": "电子邮箱",
}
RULE_OPS = {
    "==": "等于",
    "!=": "不等于",
    ">": "大于",
    ">=": "不小于",
    "<": "小于",
    "<=": "不大于",
    "in": "属于",
    "held": "持有",
    "not_held": "未持有",
}
APPLICANT_FACTS = {"age", "realname_level", "region", "kind"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = {"text": 200, "textarea": 2000}
MAX_FIELDS = 60


def check_form_fields(fields: Any) -> tuple[list[dict], list[Problem]]:
    """Clean a form definition; every problem names the field by its position and key."""
    problems: list[Problem] = []
    if fields in (None, ""):
        return [], problems
    if not isinstance(fields, list):
        return [], [Problem("form_fields", "list", "“申请表单”须为字段列表。")]
    if len(fields) > MAX_FIELDS:
        problems.append(Problem("form_fields", "max_items", f"“申请表单”最多{MAX_FIELDS}个字段。"))
    clean: list[dict] = []
    seen: set[str] = set()
    for index, raw in enumerate(fields):
        where, label = f"form_fields[{index}]", f"申请表单第{index + 1}个字段"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "object", f"{label}格式无效。"))
            continue
        name = str(raw.get("name") or "").strip()
        kind = str(raw.get("type") or "text").strip()
        title = str(raw.get("label") or "").strip()
        if not NAME_RE.match(name):
            problems.append(
                Problem(
                    f"{where}.name",
                    "name",
                    f"{label}的“字段名”须以小写字母开头，只含小写字母、数字和下划线，"
                    f"不超过40个字符。",
                )
            )
        elif name in seen:
            problems.append(Problem(f"{where}.name", "duplicate", f"{label}的字段名“{name}”重复。"))
        seen.add(name)
        if not title:
            problems.append(Problem(f"{where}.label", "required", f"{label}的“标题”为必填项。"))
        if kind not in FIELD_TYPES:
            problems.append(
                Problem(
                    f"{where}.type",
                    "choice",
                    f"{label}的类型“{kind}”无效，应为：{'、'.join(FIELD_TYPES)}。",
                )
            )
        field: dict[str, Any] = {
            "name": name,
            "label": title,
            "type": kind,
            "required": bool(raw.get("required", False)),
        }
        if raw.get("help"):
            field["help"] = str(raw["help"]).strip()
        if kind == "choice":
            choices = raw.get("choices")
            if (
                not isinstance(choices, list)
                or not choices
                or not all(isinstance(c, str) and c.strip() for c in choices)
            ):
                problems.append(
                    Problem(f"{where}.choices", "required", f"{label}为单选，须列出选项。")
                )
            else:
                field["choices"] = [c.strip() for c in choices]
        for bound in ("min", "max"):
            if raw.get(bound) not in (None, ""):
                if kind not in ("integer", "decimal"):
                    problems.append(
                        Problem(
                            f"{where}.{bound}", "not_numeric", f"{label}不是数字，不能设上下限。"
                        )
                    )
                    continue
                try:
                    field[bound] = float(Decimal(str(raw[bound])))
                except InvalidOperation:
                    problems.append(
                        Problem(f"{where}.{bound}", "number", f"{label}的上下限须为数字。")
                    )
        if raw.get("show_if") not in (None, ""):
            condition = raw["show_if"]
            if (
                not isinstance(condition, dict)
                or "field" not in condition
                or "equals" not in condition
            ):
                problems.append(
                    Problem(
                        f"{where}.show_if",
                        "shape",
                        f'{label}的显示条件须写成{{"field": 字段名, "equals": 值}}。',
                    )
                )
            else:
                field["show_if"] = {"field": str(condition["field"]), "equals": condition["equals"]}
        clean.append(field)
    for index, field in enumerate(clean):
        condition = field.get("show_if")
        if condition and condition["field"] not in {f["name"] for f in clean[:index]}:
            problems.append(
                Problem(
                    f"form_fields[{index}].show_if",
                    "unknown_field",
                    f"申请表单第{index + 1}个字段的显示条件引用了"
                    f"前面没有的字段“{condition['field']}”。",
                )
            )
    return clean, problems


def check_decision_rules(rules: Any) -> tuple[dict, list[Problem]]:
    """Clean an automatic-approval definition (empty means the item is not rule-decidable)."""
    if rules in (None, "", {}):
        return {}, []
    if not isinstance(rules, dict) or not isinstance(rules.get("rules"), list):
        return {}, [Problem("decision_rules", "shape", "“秒批规则”须为含rules列表的对象。")]
    problems: list[Problem] = []
    clean_rules = []
    for index, raw in enumerate(rules["rules"]):
        where, label = f"decision_rules.rules[{index}]", f"第{index + 1}条秒批规则"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "object", f"{label}格式无效。"))
            continue
        fact = str(raw.get("fact") or "").strip()
        op = str(raw.get("op") or "").strip()
        if op not in RULE_OPS:
            problems.append(
                Problem(
                    f"{where}.op",
                    "choice",
                    f"{label}的比较方式“{op}”无效，应为：{'、'.join(RULE_OPS)}。",
                )
            )
        if not _known_fact(fact):
            problems.append(
                Problem(
                    f"{where}.fact",
                    "unknown_fact",
                    f"{label}的依据“{fact}”无效：应为form.字段名、applicant.age/realname_level/"
                    f"region/kind、licence:证照类型代码或shared:数据来源。",
                )
            )
        holding = fact.startswith(("licence:", "shared:"))
        if holding != (op in ("held", "not_held")):
            problems.append(
                Problem(
                    f"{where}.op",
                    "op_for_fact",
                    f"{label}：证照和共享数据只能用“持有/未持有”判断，其他依据不能用。",
                )
            )
        if op not in ("held", "not_held") and "value" not in raw:
            problems.append(Problem(f"{where}.value", "required", f"{label}缺少比较值。"))
        clean_rules.append(
            {
                "code": str(raw.get("code") or f"R{index + 1}"),
                "description": str(raw.get("description") or "").strip(),
                "fact": fact,
                "op": op,
                **({"value": raw["value"]} if "value" in raw else {}),
            }
        )
    if not clean_rules:
        problems.append(Problem("decision_rules.rules", "required", "“秒批规则”至少需要一条规则。"))
    try:
        review_days = int(rules.get("review_days", 5))
        if not 1 <= review_days <= 30:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(
            Problem("decision_rules.review_days", "range", "申请人工复核的期限须为1至30个工作日。")
        )
        review_days = 5
    return {"review_days": review_days, "rules": clean_rules}, problems


def _known_fact(fact: str) -> bool:
    if fact.startswith("form.") and NAME_RE.match(fact[5:]):
        return True
    if fact.startswith("applicant."):
        return fact[10:] in APPLICANT_FACTS
    return fact.startswith(("licence:", "shared:")) and len(fact.split(":", 1)[1]) > 0


# --- answers ----------------------------------------------------------------------------


def visible(field: dict, answers: dict) -> bool:
    condition = field.get("show_if")
    return not condition or answers.get(condition["field"]) == condition["equals"]


def clean_answers(
    fields: list[dict], data: dict, *, partial: bool = False
) -> tuple[dict, list[Problem]]:
    """Check answers against a form: ``(clean answers, problems)``.

    ``partial`` (a saved draft) skips the required checks but still rejects malformed
    values. Hidden conditional fields are dropped, so no stale answer is kept.
    """
    answers: dict[str, Any] = {}
    problems: list[Problem] = []
    for field in fields:
        name, label = field["name"], f"“{field['label']}”"
        if not visible(field, answers):
            continue
        raw = data.get(name)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, "") or (field["type"] == "boolean" and raw is None):
            if field["required"] and not partial:
                problems.append(Problem(f"form.{name}", "required", f"{label}为必填项。"))
            continue
        value, message = _convert(field, raw)
        if message:
            problems.append(Problem(f"form.{name}", "invalid", f"{label}{message}"))
            continue
        answers[name] = value
    return answers, problems


def _convert(field: dict, raw: Any) -> tuple[Any, str]:
    kind = field["type"]
    if kind in MAX_TEXT:
        text = str(raw)
        if len(text) > MAX_TEXT[kind]:
            return None, f"不能超过{MAX_TEXT[kind]}个字符（当前{len(text)}个）。"
        return text, ""
    if kind in ("integer", "decimal"):
        try:
            number = Decimal(str(raw))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return None, "须为数字。"
        if kind == "integer":
            if number != number.to_integral_value():
                return None, "须为整数。"
            value: Any = int(number)
        else:
            # A whole amount stays whole (1500, not 1500.0) in the stored answers and the API.
            value = int(number) if number == number.to_integral_value() else float(number)
        if "min" in field and value < field["min"]:
            return None, f"不能小于{_num(field['min'])}。"
        if "max" in field and value > field["max"]:
            return None, f"不能大于{_num(field['max'])}。"
        return value, ""
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(raw)).isoformat(), ""
        except ValueError:
            return None, "须为日期，格式如2026-01-31。"
    if kind == "choice":
        if str(raw) not in field.get("choices", []):
            return None, f"须为以下之一：{'、'.join(field.get('choices', []))}。"
        return str(raw), ""
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw, ""
        word = str(raw).lower()
        if word in ("true", "1", "yes", "是", "on"):
            return True, ""
        if word in ("false", "0", "no", "否", "off"):
            return False, ""
        return None, "须为“是”或“否”。"
    if kind == "id_number":
        result = validate_id_number(str(raw))
        return (result.normalized, "") if result.valid else (None, "无效：" + _first(result))
    if kind == "credit_code":
        result = validate_credit_code(str(raw))
        return (result.normalized, "") if result.valid else (None, "无效：" + _first(result))
    if kind == "phone":
        return (str(raw), "") if PHONE_RE.match(str(raw)) else (None, "须为11位手机号码。")
    if kind == "email":
        return (str(raw), "") if EMAIL_RE.match(str(raw)) else (None, "须为有效的电子邮箱地址。")
    return None, "类型未知。"


def number_text(value) -> str:
    """A number as people write it: 1500 (not 1500.0), 0.05 (never 5E-2), 12.5."""
    number = Decimal(str(value))
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def shown(field: dict, value) -> str:
    """An answer as the applicant and staff read it (ID numbers are masked by the page)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.get("type") in ("integer", "decimal") and isinstance(value, (int, float, str)):
        try:
            return number_text(value)
        except InvalidOperation:
            return str(value)
    return str(value)


_num = number_text


def _first(result) -> str:
    return result.errors[0].message if result.errors else "格式不正确。"


def merge_forms(forms: list[list[dict]]) -> list[dict]:
    """One form for several items (一表式): shared field names are asked once.

    A field required by any item is required in the merged form; the first item's label
    and type win (editors of a bundle keep shared names consistent).
    """
    merged: dict[str, dict] = {}
    for fields in forms:
        for field in fields:
            if field["name"] in merged:
                merged[field["name"]]["required"] |= field["required"]
            else:
                merged[field["name"]] = dict(field)
    return list(merged.values())
