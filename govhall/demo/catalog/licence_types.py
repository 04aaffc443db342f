"""The demo 电子证照通用目录: licence types the demo catalogue issues and uses.

Type codes follow GB/T 36903-2018 practice (the defining body's credit code + 3 digits). The
defining bodies are the national ministries that define these licences; their credit
codes here are well-formed placeholders (region 100000), not the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govhall.core.identifiers import make_credit_code

# defining body → (placeholder credit code body)
BODIES = {
    "民政部": "00001301",
    "公安部": "00001302",
    "国家市场监督管理总局": "00001303",
    "国家卫生健康委员会": "00001304",
    "自然资源部": "00001305",
    "中国残疾人联合会": "00001306",
}


def body_code(body: str) -> str:
    return make_credit_code("11", "100000", BODIES[body])


@dataclass(frozen=True)
class DemoType:
    number: str  # the 3 digits after the defining body's code
    name: str
    body: str
    holder_kind: str
    validity_years: int = 0
    prefix: str = ""
    fields: list = field(default_factory=list)

    @property
    def code(self) -> str:
        return body_code(self.body) + self.number


def _f(name, label, kind="text", required=False):
    return {"name": name, "label": label, "type": kind, "required": required}


TYPES = [
    DemoType(
        "001",
        "结婚证",
        "民政部",
        "person",
        prefix="J",
        fields=[_f("spouse_name", "配偶姓名"), _f("registered_on", "登记日期", "date")],
    ),
    DemoType(
        "002",
        "离婚证",
        "民政部",
        "person",
        prefix="L",
        fields=[_f("registered_on", "登记日期", "date")],
    ),
    DemoType(
        "003",
        "最低生活保障证",
        "民政部",
        "person",
        1,
        "粤低保",
        fields=[_f("household_size", "保障人口", "number", True)],
    ),
    DemoType("004", "收养登记证", "民政部", "person", prefix="S"),
    DemoType(
        "001", "居民户口簿", "公安部", "person", prefix="HK", fields=[_f("household_type", "户别")]
    ),
    DemoType("002", "居住证", "公安部", "person", 3, "粤居"),
    DemoType(
        "001",
        "营业执照",
        "国家市场监督管理总局",
        "company",
        fields=[_f("legal_representative", "法定代表人"), _f("scope", "经营范围")],
    ),
    DemoType("002", "食品经营许可证", "国家市场监督管理总局", "company", 5, "JY"),
    DemoType("001", "出生医学证明", "国家卫生健康委员会", "person", prefix="CS"),
    DemoType("002", "公共场所卫生许可证", "国家卫生健康委员会", "company", 4, "粤卫公证字"),
    DemoType("001", "不动产权证书", "自然资源部", "person", prefix="粤不动产权第"),
    DemoType("001", "残疾人证", "中国残疾人联合会", "person", 10, "CJ"),
]

BY_NAME = {t.name: t for t in TYPES}


def code_for(name: str) -> str:
    """The demo type code of a licence named in the catalogue, or "" if not catalogued."""
    demo_type = BY_NAME.get(name)
    return demo_type.code if demo_type else ""
