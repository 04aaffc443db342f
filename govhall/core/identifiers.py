"""Citizen ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Checksums come from python-stdnum; the other rules are ours because stdnum is stricter
than reality in two places (GB 11643-1999, GB 32100-2015):

* ``stdnum.cn.ric`` rejects a number whose county code was created after the holder's
  birth year, but the code is that of the county which *issued* the number, so people
  born before their district existed carry it legitimately. We check only that the
  province part of the address code exists.
* ``stdnum.cn.uscc`` insists the first eight characters are digits, while real
  registration authorities and categories use letters (e.g. ``N`` agriculture, ``Y``
  other). We validate the full alphabet instead, and add the GB 11714 check of the
  embedded organisation code that stdnum skips.

Every failure carries a stable ``code`` (which rule of which standard; see the table in
docs/api.md) and a plain Chinese message for the person typing the number — the message
says what is wrong and what to check, never the standard's clause.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

from stdnum.cn import ric, uscc

from .errors import Problem

ID_NUMBER = "id_number"
CREDIT_CODE = "credit_code"
KINDS = (ID_NUMBER, CREDIT_CODE)

# Province-level codes of GB/T 2260 (first two digits of an address code).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Registration authorities of GB 32100 with the organisation categories each may use,
# as assigned to date (the standard's table plus later national assignments such as
# 54/55 village and residents' committees, G public security, J housing, Q overseas
# Chinese federations). A real code must never be refused for an unlisted category,
# so keep this list complete rather than strict.
USCC_CATEGORIES = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直管群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 商事调解组织, 其他
    "3": "1234569",
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1234569",  # 民政: 社会团体, 民办非企业单位, 基金会, 村民委员会, 居民委员会, 其他
    "6": "129",  # 旅游: 外国及港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "129",  # 工会: 基层工会, 非法人工会组织, 其他
    "9": "1239",  # 工商/市场监管: 企业, 个体工商户, 农民专业合作社, 其他
    "A": "19",  # 中央军委改革和编制办公室: 军队单位, 其他
    "G": "19",  # 公安: 境外非政府组织代表机构, 其他
    "J": "19",  # 住房和城乡建设: 业主大会, 其他
    "N": "1239",  # 农业农村: 组级、村级、乡镇级集体经济组织, 其他
    "Q": "1239",  # 侨联: 区县级、乡镇级、村级侨联组织, 其他
    "Y": "1",  # 其他
}
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
EARLIEST_BIRTH_YEAR = 1880

_FULLWIDTH = {
    ord(c): ord(c) - 0xFEE0
    for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹｘ"
}


# Hyphens and dashes people type or paste between groups of digits.
_SEPARATORS = frozenset("-_‐‑‒–—―－")


def _problem(code: str, message: str) -> Problem:
    """A failed rule of the number given as ``value`` (the validation API's request key)."""
    return Problem("value", code, message)


@dataclass
class ValidationResult:
    kind: str
    value: str
    normalized: str
    errors: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def clean(value: str) -> str:
    """Strip separators and convert full-width digits and letters, the way clerks type."""
    if value and value.isascii() and value.isalnum():
        return value.upper()  # nothing to strip or convert (feeds send clean keys)
    value = unicodedata.normalize("NFKC", value or "").translate(_FULLWIDTH)
    return "".join(ch for ch in value if not ch.isspace() and ch not in _SEPARATORS).upper()


# --- citizen ID numbers ------------------------------------------------------------


def _id_check_char(first17: str) -> str:
    # stdnum computes the ISO 7064 MOD 11-2 check; it ignores the last character.
    return ric.calc_check_digit(first17 + "0")


def upgrade_15_to_18(number: str) -> str:
    """Convert a first-generation 15-digit number (YYMMDD, 1900s) to the 18-digit form."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + _id_check_char(first17)


def validate_id_number(value: str, today: datetime.date | None = None) -> ValidationResult:
    today = today or datetime.date.today()
    number = clean(value)
    result = ValidationResult(ID_NUMBER, value, number)
    errors = result.errors
    if not number:
        errors.append(_problem("required", "身份证号码不能为空。"))
        return result
    if len(number) == 15 and number.isdigit():
        number = upgrade_15_to_18(number)
        result.normalized = number
    if len(number) != 18:
        errors.append(
            _problem("length", f"身份证号码应为18位（第一代证15位），当前为{len(number)}位。")
        )
        return result
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        errors.append(_problem("format", "身份证号码前17位须为数字，最后一位须为数字或X。"))
        return result
    if number[:2] not in PROVINCE_PREFIXES:
        errors.append(
            _problem(
                "address_code",
                f"身份证号码开头的“{number[:2]}”不是任何省份的代码，请核对前两位。",
            )
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        errors.append(
            _problem(
                "birth_date",
                f"身份证号码第7–14位应是出生日期，“{number[6:14]}”不是有效的日期，请核对。",
            )
        )
    else:
        if birth > today:
            errors.append(_problem("birth_date_future", "身份证号码中的出生日期晚于今天。"))
        elif birth.year < EARLIEST_BIRTH_YEAR:
            errors.append(
                _problem("birth_date_range", f"身份证号码中的出生年份早于{EARLIEST_BIRTH_YEAR}年。")
            )
    if _id_check_char(number[:17]) != number[17]:
        errors.append(
            _problem(
                "checksum",
                "身份证号码有一位不对：最后一位与前17位对不上，请对照身份证逐位核对。",
            )
        )
    return result


# --- unified social credit codes ------------------------------------------------------


def gb11714_check_char(body8: str) -> str:
    """Check character of a GB 11714 organisation code (8 characters + check)."""
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - 55) * w
        for ch, w in zip(body8, GB11714_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(value: str) -> ValidationResult:
    code = clean(value)
    result = ValidationResult(CREDIT_CODE, value, code)
    errors = result.errors
    if not code:
        errors.append(_problem("required", "统一社会信用代码不能为空。"))
        return result
    if len(code) != 18:
        errors.append(_problem("length", f"统一社会信用代码应为18位，当前为{len(code)}位。"))
        return result
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        errors.append(
            _problem(
                "alphabet",
                "统一社会信用代码含有不允许的字符“" + "".join(bad) + "”（不使用I、O、S、V、Z）。",
            )
        )
        return result
    authority, category = code[0], code[1]
    if authority not in USCC_CATEGORIES:
        errors.append(
            _problem("authority", f"统一社会信用代码第1位“{authority}”不是有效的登记管理部门代码。")
        )
    elif category not in USCC_CATEGORIES[authority]:
        errors.append(
            _problem(
                "category",
                f"统一社会信用代码第2位机构类别“{category}”与第1位“{authority}”不相配，请核对。",
            )
        )
    if not code[2:8].isdigit():
        errors.append(_problem("region_code", "第3–8位登记管理机关行政区划码须为6位数字。"))
    elif code[2:4] not in PROVINCE_PREFIXES and code[2:8] != "100000":
        errors.append(
            _problem("region_code", f"统一社会信用代码第3–8位“{code[2:8]}”不是有效的地区代码。")
        )
    entity = code[8:17]
    if gb11714_check_char(entity[:8]) != entity[8]:
        errors.append(
            _problem(
                "entity_checksum",
                "统一社会信用代码第9–17位（组织机构代码）有一位不对，请对照营业执照核对。",
            )
        )
    if uscc.calc_check_digit(code[:17]) != code[17]:
        errors.append(
            _problem(
                "checksum",
                "统一社会信用代码第18位校验码错误：与前17位对不上，请对照营业执照逐位核对。",
            )
        )
    return result


def validate(kind: str, value: str) -> ValidationResult:
    if kind == ID_NUMBER:
        return validate_id_number(value)
    if kind == CREDIT_CODE:
        return validate_credit_code(value)
    raise ValueError(f"unknown identifier kind {kind!r}")


# --- display -----------------------------------------------------------------------


def mask_id_number(number: str) -> str:
    """`440703199001015140` → `4407**********5140`: the region and the last four stay."""
    number = clean(number)
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# --- test data -----------------------------------------------------------------------


def make_id_number(address_code: str, birth: datetime.date, sequence: int) -> str:
    """Build a well-formed ID number; used by factories and demo data, never by checks."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + _id_check_char(first17)


def make_credit_code(authority_category: str, region_code: str, entity8: str) -> str:
    """Build a well-formed credit code from an 8-character organisation code body."""
    first17 = authority_category + region_code + entity8 + gb11714_check_char(entity8)
    return first17 + uscc.calc_check_digit(first17 + "0")
