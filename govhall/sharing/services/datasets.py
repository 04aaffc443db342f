"""The open datasets (数据开放目录): what each contains, declared once.

Every dataset is public reference or aggregate data the hall already shows on its pages —
the item catalogue, the halls and departments directory, the licence type catalogue and
the monthly indicators per city — never a row about a person. ``publishing`` writes them
in CSV, JSON and XLSX after the personal-data scan (``privacy``) has read every cell.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PUBLISHER = "广东省政务服务数据管理局"
LICENCE = "CC-BY-4.0"
LICENCE_TITLE = "知识共享署名 4.0 国际许可协议（CC BY 4.0）"


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    type: str = "string"  # string | integer | number | date | boolean
    description: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "title": self.title,
            "type": self.type,
            "description": self.description,
        }


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    theme: str
    update_cycle: str
    keywords: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[tuple]]
    publisher: str = PUBLISHER
    licence: str = LICENCE


REGISTRY: dict[str, Dataset] = {}


def dataset(**meta) -> Callable[[Callable[[], Iterable[tuple]]], Callable[[], Iterable[tuple]]]:
    """Declare a dataset whose rows the decorated function yields (one tuple per row,
    in the order of ``columns``)."""

    def register(func):
        REGISTRY[meta["key"]] = Dataset(rows=func, **meta)
        return func

    return register


def _yes(value: bool) -> str:
    return "是" if value else "否"


@dataset(
    key="service-items",
    title="政务服务事项目录",
    description="全省已发布的政务服务事项实施清单：事项编码、名称、类型、实施部门与层级、"
    "法定与承诺办结时限、到现场次数、网上办理深度和办理渠道。",
    theme="政务服务",
    update_cycle="每日",
    keywords=("政务服务事项", "实施清单", "办事指南"),
    columns=(
        Column("implementation_code", "实施编码", description="事项实施编码"),
        Column("basic_code", "基本编码"),
        Column("name", "事项名称"),
        Column(
            "item_type", "事项类型", description="XK 行政许可、GG 公共服务等（GB/T 39046-2020）"
        ),
        Column("department", "实施部门"),
        Column("department_credit_code", "实施部门统一社会信用代码"),
        Column("region_code", "行政区划代码", description="GB/T 2260"),
        Column("exercise_level", "行使层级", description="GB/T 39046-2020 代码：2 省级 … 6 村级"),
        Column("statutory_limit_days", "法定办结时限（工作日）", "integer"),
        Column("promised_limit_days", "承诺办结时限（工作日）", "integer"),
        Column("visits", "到现场次数", "integer"),
        Column("depth", "网上办理深度", "integer", "1 至 4 级"),
        Column("online", "可网上办理", "boolean"),
        Column("mobile", "可移动端办理", "boolean"),
        Column("has_fee", "是否收费", "boolean"),
        Column("version", "指南版本", "integer"),
        Column("published_at", "发布时间", "date"),
    ),
)
def _service_items():
    from govhall.catalog.models import Item

    items = (
        Item.objects.published()
        .select_related("current", "department")
        .order_by("implementation_code")
    )
    for item in items.iterator(chunk_size=2000):
        v = item.current
        yield (
            item.implementation_code,
            item.basic_code,
            v.name,
            item.item_type,
            item.department.name,
            item.department.credit_code,
            item.region_id,
            item.exercise_level,
            v.statutory_limit_days,
            v.promised_limit_days,
            v.visits,
            v.depth,
            _yes(v.channel_online),
            _yes(v.channel_mobile),
            _yes(v.has_fee),
            v.number,
            v.published_at.date().isoformat() if v.published_at else "",
        )


@dataset(
    key="halls",
    title="网上办事大厅及实体大厅名录",
    description="省网上办事大厅、各市分厅、镇街网上办事站和村居网上办事点：区划、名称、"
    "实体大厅地址、咨询电话和办公时间。",
    theme="政务服务",
    update_cycle="每日",
    keywords=("办事大厅", "分厅", "办事站", "办事点"),
    columns=(
        Column("region_code", "行政区划代码", description="GB/T 2260"),
        Column("region_name", "行政区划名称"),
        Column("kind", "类型"),
        Column("name", "名称"),
        Column("address", "实体大厅地址"),
        Column("hotline", "咨询电话", description="机构办公电话"),
        Column("opening_hours", "办公时间"),
    ),
)
def _halls():
    from govhall.regions.models import Hall

    for hall in Hall.objects.filter(is_active=True).select_related("region").order_by("region"):
        yield (
            hall.region_id,
            hall.region.name,
            hall.get_kind_display(),
            hall.name,
            hall.address,
            hall.hotline,
            hall.opening_hours,
        )


@dataset(
    key="departments",
    title="政务服务部门名录",
    description="进驻网上办事大厅的各级部门：名称、统一社会信用代码、所属区划和类别。",
    theme="政务服务",
    update_cycle="每日",
    keywords=("部门", "机构", "统一社会信用代码"),
    columns=(
        Column("credit_code", "统一社会信用代码", description="GB 32100-2015"),
        Column("name", "名称"),
        Column("region_code", "行政区划代码"),
        Column("region_name", "行政区划名称"),
        Column("kind", "类别"),
        Column("phone", "联系电话", description="机构办公电话"),
    ),
)
def _departments():
    from govhall.regions.models import Department

    rows = Department.objects.filter(is_active=True).select_related("region").order_by("region")
    for d in rows.order_by("region_id", "sort_order", "name"):
        yield (d.credit_code, d.name, d.region_id, d.region.name, d.get_kind_display(), d.phone)


@dataset(
    key="licence-types",
    title="电子证照目录",
    description="电子证照类型（通用目录）：类型代码、名称、定义机构、持证主体类别和有效期。",
    theme="电子证照",
    update_cycle="每日",
    keywords=("电子证照", "证照目录"),
    columns=(
        Column("code", "证照类型代码", description="GB/T 36903-2018"),
        Column("name", "证照类型名称"),
        Column("defining_body", "证照定义机构"),
        Column("defining_body_code", "定义机构统一社会信用代码"),
        Column("holder_kind", "持证主体类别"),
        Column("validity_years", "有效期（年）", "integer", "0 表示长期有效"),
    ),
)
def _licence_types():
    from govhall.licences.models import LicenceType

    for t in LicenceType.objects.order_by("code"):
        yield (
            t.code,
            t.name,
            t.defining_body,
            t.defining_body_code,
            t.get_holder_kind_display(),
            t.validity_years or 0,
        )


# The monthly indicators: the last 12 complete months, per city and the province.
MONTHS = 12


def _month_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    first = last
    for _ in range(MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first, last


@dataset(
    key="monthly-indicators",
    title="各地级以上市网上办事月度指标",
    description="最近12个完整月份，全省及各地级以上市行政许可事项的业务量、上网办理率、"
    "网上办结率、到现场办理次数不超过1次比率和零跑动比率，口径同数据监测。",
    theme="效能监督",
    update_cycle="每月",
    keywords=("三率一数", "上网办理率", "网上办结率", "零跑动"),
    columns=(
        Column("month", "月份", "date", "YYYY-MM"),
        Column("region_code", "行政区划代码"),
        Column("region_name", "行政区划名称"),
        Column("volume", "业务量", "integer", "已办结的行政许可办件数"),
        Column("online_applied", "上网申办件数", "integer"),
        Column("online_apply_rate", "上网办理率（%）", "number"),
        Column("online_conclude_rate", "网上办结率（%）", "number"),
        Column("visits_le1_rate", "到现场办理次数不超过1次比率（%）", "number"),
        Column("visits_zero_rate", "零跑动比率（%）", "number"),
    ),
)
def _monthly_indicators(today: datetime.date | None = None):
    from govhall.monitoring.services import indicators
    from govhall.regions.models import Level, Region

    first, last = _month_range(today or datetime.date.today())
    units = list(Region.objects.filter(level__in=[Level.PROVINCE, Level.CITY]).order_by("code"))
    month = first
    while month <= last:
        for region in units:
            # The same slice and counters as the monitoring dashboards (行政许可 by default).
            s = indicators.Slice.month(month.year, month.month, region_code=region.code)
            counts = indicators.counters(s)
            figures = indicators.case_figures(counts)
            rates = [figures[i].rate for i in indicators.CASE_RATIOS]
            yield (
                month.strftime("%Y-%m"),
                region.code,
                region.name,
                counts["volume"],
                counts["online_applied"],
                *("" if r is None else r for r in rates),
            )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
