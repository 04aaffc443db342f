"""The coding rule of the catalogue (docs/catalog.md, "Coding rule").

* Basic code (基本编码, 10 characters, shared by every region implementing the item):
  two-letter item type + 5-digit main item number + 3-digit sub-item number
  (``000`` for a main item), e.g. ``XK00012000`` and its sub-item ``XK00012001``.
* Implementation code (实施编码, 29 characters, per department): the implementing
  department's unified social credit code (18) + the GB/T 39046 exercise-level digit
  (1 national … 6 village) + the basic code. This shape was seen in Guangdong but is
  unconfirmed (seen in Guangdong's published catalogue); GB/T 39046 gives the field
  24 characters, which this
  shape exceeds, so the column is 32 wide and the shape is checked only here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Max

from govhall.core.errors import Problem, Refusal
from govhall.core.identifiers import validate_credit_code
from govhall.regions.models import EXERCISE_LEVEL_CODE, Department, Level, Region

from ..models import BasicItem, ItemType

TYPE_CODES = "|".join(ItemType.values)
# A set, since ``ItemType.values`` builds its list anew on every call (a bulk load checks
# a million codes).
ITEM_TYPES = frozenset(ItemType.values)
BASIC_CODE_RE = re.compile(rf"^({TYPE_CODES})(\d{{5}})(\d{{3}})$")
IMPLEMENTATION_CODE_LENGTH = 18 + 1 + 10
MAX_MAIN, MAX_SUB = 99999, 999


@dataclass(frozen=True)
class BasicCode:
    item_type: str
    main: int
    sub: int

    def __str__(self) -> str:
        return f"{self.item_type}{self.main:05d}{self.sub:03d}"

    @property
    def is_sub_item(self) -> bool:
        return self.sub != 0

    @property
    def main_code(self) -> str:
        return f"{self.item_type}{self.main:05d}000"


def parse_basic_code(code: str, field: str = "basic_code") -> BasicCode:
    problems = check_basic_code(code, field)
    if problems:
        raise Refusal(problems)
    match = BASIC_CODE_RE.match(code)
    return BasicCode(match.group(1), int(match.group(2)), int(match.group(3)))


def check_basic_code(code: str, field: str = "basic_code") -> list[Problem]:
    code = code or ""
    if len(code) != 10:
        return [
            Problem(
                field,
                "basic_code_length",
                f"基本编码应为10位（2位类型字母+5位主项号+3位子项号），“{code}”为{len(code)}位。",
            )
        ]
    if code[:2] not in ITEM_TYPES:
        return [
            Problem(
                field,
                "basic_code_type",
                f"基本编码前2位“{code[:2]}”不是事项类型代码（{'、'.join(ItemType.values)}）。",
            )
        ]
    if not code[2:].isdigit():
        return [Problem(field, "basic_code_digits", f"基本编码第3–10位须为数字，“{code}”不符。")]
    if code[2:7] == "00000":
        return [Problem(field, "basic_code_main", "基本编码第3–7位主项号不能为00000。")]
    return []


def exercise_level_for(region: Region) -> str:
    return EXERCISE_LEVEL_CODE[Level(region.level)]


def implementation_code(department: Department, basic_code: str) -> str:
    """The implementation code of ``basic_code`` implemented by ``department``."""
    parse_basic_code(basic_code)
    return f"{department.credit_code}{exercise_level_for(department.region)}{basic_code}"


def check_implementation_code(code: str, field: str = "implementation_code") -> list[Problem]:
    code = code or ""
    if len(code) != IMPLEMENTATION_CODE_LENGTH:
        return [
            Problem(
                field,
                "implementation_code_length",
                f"实施编码应为{IMPLEMENTATION_CODE_LENGTH}位（18位实施主体统一社会信用代码"
                f"+1位行使层级+10位基本编码），“{code}”为{len(code)}位。",
            )
        ]
    problems = [
        Problem(field, f"implementation_code_credit_{e.code}", f"实施编码第1–18位：{e.message}")
        for e in validate_credit_code(code[:18]).errors
    ]
    if code[18] not in "123456":
        problems.append(
            Problem(
                field,
                "implementation_code_level",
                f"实施编码第19位行使层级“{code[18]}”无效，须为1（国家）至6（村社区）。",
            )
        )
    problems += [
        Problem(field, p.code, "实施编码第20–29位：" + p.message)
        for p in check_basic_code(code[19:], field)
    ]
    return problems


def next_basic_code(item_type: str, main: str | None = None) -> str:
    """The next free basic code: a new main item of ``item_type``, or a sub-item of ``main``."""
    if main:
        parent = parse_basic_code(main, "parent")
        prefix = parent.main_code[:7]
        taken = BasicItem.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
        sub = int(taken[7:]) + 1 if taken else 1
        if sub > MAX_SUB:
            raise Refusal(Problem("parent", "sub_items_full", "该主项的子项编号已用完。"))
        return f"{prefix}{sub:03d}"
    if item_type not in ITEM_TYPES:
        raise Refusal(Problem("item_type", "invalid", f"事项类型“{item_type}”无效。"))
    taken = BasicItem.objects.filter(code__startswith=item_type).aggregate(m=Max("code"))["m"]
    number = int(taken[2:7]) + 1 if taken else 1
    if number > MAX_MAIN:
        raise Refusal(Problem("item_type", "main_items_full", "该类型的主项编号已用完。"))
    return f"{item_type}{number:05d}000"
