"""Generated process-record streams: the benchmark's big set and the demo's small one.

``generate`` writes ``records`` process records (docs/exchange.md), exactly, as the
branch halls of Guangdong's prefecture-level cities would have pushed them over
``months`` months ending with ``end_month``:

* cases go to the departments of the cities and their counties (``Region`` and
  ``Department``), more to the populous cities (Guangzhou and Shenzhen first); each
  department files its cases under its published catalogue items when it has any,
  otherwise under a few synthetic implementation codes ``<credit code><XK|QR|JF|GG|QT>
  <8 digits>`` (28 characters, DB44/T 1148-2013 practice), licensing items (XK) the commonest;
* each case is one stream of records with ascending times: 0 申办 → 2 受理 → 3 审批
  (承办, 审核, 批准 for a 承诺件; one 批准 for a 即办件) → 4 办结, sometimes with 7/8 补正,
  5/6 特别程序 or a returned step, then 9 领取 (post or pick-up) and R 评价; some are
  withdrawn (4 ``withdraw``) or not accepted (2 ``reject``); the cases still running at
  the end of the window stop where they are;
* channels are mixed (online, mobile, counter, kiosk, third_party) with an online share
  that depends on the city — the Pearl River Delta higher — and visits (0–3) follow the
  channel, so the indicators differ from city to city;
* ``payload`` is the full exchange record (valid against
  ``govhall/exchange/schemas/process-record-1.0.json``); the columns monitoring reads are
  copied out of it, as the exchange API does.

The same seed gives the same records (record ids included), so a second run needs
another seed. Records are written case by case, cases in order of application, on
PostgreSQL with ``COPY`` (psycopg's ``cursor.copy``) from a writer thread while the next
batch is built — secondary indexes dropped and rebuilt when the load is large — and
elsewhere with ``executemany`` in chunks. ``load_demo`` writes a small deterministic set
(20,000 records over the last 12 months) for ``manage.py load_demo``.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from govhall.catalog.models import CaseType, Item, Material
from govhall.core.identifiers import make_credit_code
from govhall.core.services import audit, bulk
from govhall.records import events, sources
from govhall.records.models import ProcessRecord
from govhall.regions.models import Department, Level, Region

FORMAT_VERSION = events.FORMAT_VERSION
# The message type each event travels as (govhall.records.events), read per record.
MESSAGE_TYPES = {e.code: str(e.message_type) for e in events.EVENTS}
DEMO_SOURCE = sources.DEMO
DEMO_RECORDS = 20_000
DEMO_MONTHS = 12
DEMO_SEED = 20_160_601
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")
DAY = 86_400
OFFSET = 8 * 3600  # local (Asia/Shanghai, no DST since 1991) minus UTC, in seconds
BATCH = 50_000

# Resident population in millions (2020 census): how the cases spread over the cities.
CITY_WEIGHTS = {
    "440100": 18.7, "440200": 2.9, "440300": 17.6, "440400": 2.4, "440500": 5.5,
    "440600": 9.5, "440700": 4.8, "440800": 7.0, "440900": 6.2, "441200": 4.1,
    "441300": 6.0, "441400": 3.9, "441500": 2.7, "441600": 2.8, "441700": 2.6,
    "441800": 4.0, "441900": 10.5, "442000": 4.4, "445100": 2.6, "445200": 5.6,
    "445300": 2.4,
}  # fmt: skip
PEARL_RIVER_DELTA = {"440100", "440300", "440400", "440600", "440700", "441200", "441300"}
PEARL_RIVER_DELTA |= {"441900", "442000"}

OFFLINE_CHANNELS = (("counter", 0.75), ("kiosk", 0.10), ("third_party", 0.15))
# Final visits per channel: (0, 1, 2, 3) probabilities (online ones shifted per city).
VISITS = {
    "counter": (0.0, 0.55, 0.33, 0.12),
    "kiosk": (0.0, 0.80, 0.15, 0.05),
    "third_party": (0.50, 0.40, 0.10, 0.0),
}
SYNTHETIC_ITEMS = (
    ("XK", "行政许可", ("许可证核发", "资质认定", "许可事项变更", "许可延续")),
    ("QR", "行政确认", ("登记确认",)),
    ("JF", "行政给付", ("补助发放",)),
    ("GG", "公共服务", ("证明开具", "信息查询")),
    ("QT", "其他行政权力", ("年度核验",)),
)
MATERIALS = ("申请表", "申请人身份证明", "相关证明材料", "现场照片")
PROCEDURES = ("hearing", "testing", "inspection", "expert_review", "other")
PROCEDURE_NAMES = {
    "hearing": "听证",
    "testing": "检验检测",
    "inspection": "现场勘查",
    "expert_review": "专家评审",
    "other": "其他",
}
RATING_LEVELS = (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4)
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭许曾蔡邓冯周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文辉"
TRADES = ("贸易", "科技", "餐饮", "建筑", "物流", "电子", "食品", "陶瓷", "五金", "服饰")


# --- what to generate ------------------------------------------------------------------


@dataclass
class ItemDef:
    code: str
    name: str
    item_type: str
    case_type: str  # 1 即办件, 2 承诺件
    promised_days: int
    statutory_days: int
    result_name: str
    materials: list[tuple[str, str]]  # (code, name)


@dataclass
class DepartmentDef:
    code: str
    name: str
    region_code: str
    items: list[ItemDef]
    item_weights: list[float]


@dataclass
class CityDef:
    code: str
    name: str
    weight: float
    online: float  # share of cases applied online (PC or mobile)
    mobile: float  # share of the online ones applied on a phone
    zero_visits: float  # share of online cases with no visit at all
    departments: list[DepartmentDef]
    cumulative: list[float] = field(default_factory=list)


@dataclass
class Plan:
    cities: list[CityDef]
    cumulative: list[float]
    persons: list[tuple[str, str, str]]  # (name, id_key, phone)
    companies: list[tuple[str, str, str]]  # (name, credit code, phone)
    handlers: list[str]

    @property
    def departments(self) -> int:
        return sum(len(c.departments) for c in self.cities)


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, options: list, cumulative: list[float]):
    return options[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _catalogue(departments: list[Department]) -> dict[int, list[ItemDef]]:
    """Published items per department id, with up to four material names each."""
    items = (
        Item.objects.published()
        .filter(department__in=departments)
        .select_related("current")
        .order_by("implementation_code")
    )
    found: dict[int, list[ItemDef]] = {}
    versions: dict[int, ItemDef] = {}
    for item in items:
        version = item.current
        definition = ItemDef(
            code=item.implementation_code,
            name=version.name[:200],
            item_type=item.item_type,
            case_type=version.case_type or CaseType.PROMISED.value,
            promised_days=version.promised_limit_days or 10,
            statutory_days=version.statutory_limit_days or 20,
            result_name=(version.result_name or f"{version.name}决定书")[:200],
            materials=[],
        )
        found.setdefault(item.department_id, []).append(definition)
        versions[version.pk] = definition
    materials = Material.objects.filter(version_id__in=list(versions)).order_by(
        "version_id", "sort_order", "pk"
    )
    for version_id, code, name in materials.values_list("version_id", "code", "name"):
        definition = versions[version_id]
        if len(definition.materials) < 4:
            definition.materials.append((code, name[:200]))
    for definition in versions.values():
        if not definition.materials:
            definition.materials = [(f"M{n:02d}", name) for n, name in enumerate(MATERIALS[:3])]
    return found


def _synthetic_items(department: Department, rng: random.Random) -> list[ItemDef]:
    short = department.short_name or department.name
    items = []
    serial = 0
    for item_type, _label, names in SYNTHETIC_ITEMS:
        for name in names:
            serial += 1
            quick = item_type in ("QR", "GG") and rng.random() < 0.6
            promised = rng.choice((3, 5, 7, 10, 15, 20))
            items.append(
                ItemDef(
                    code=f"{department.credit_code}{item_type}{serial:05d}000",
                    name=f"{short}{name}",
                    item_type=item_type,
                    case_type=(CaseType.INSTANT if quick else CaseType.PROMISED).value,
                    promised_days=1 if quick else promised,
                    statutory_days=1 if quick else max(20, promised),
                    result_name=f"{short}{name}结果",
                    materials=[(f"M{n:02d}", m) for n, m in enumerate(MATERIALS[:3])],
                )
            )
    return items


def build_plan(
    *,
    cities: int = 21,
    city_codes: Iterable[str] | None = None,
    seed: int = 1,
    catalogue_only: bool = False,
) -> Plan:
    """The cities, their departments and items, and the applicant pool.

    ``cities`` takes the first N prefecture-level cities by code, ``city_codes`` names
    them; ``catalogue_only`` keeps only departments with published catalogue items (what
    a branch hall whose items are all in the catalogue would push)."""
    rng = random.Random(f"plan:{seed}")
    regions = Region.objects.filter(level=Level.CITY).order_by("code")
    if city_codes is not None:
        regions = regions.filter(code__in=list(city_codes))
    else:
        regions = regions[:cities]
    city_list = []
    for region in regions:
        counties = list(region.children.filter(level=Level.COUNTY).order_by("code"))
        departments = list(
            Department.objects.filter(region__in=[region, *counties], is_active=True)
            .exclude(kind=Department.Kind.SERVICE_CENTRE)
            .order_by("region_id", "sort_order", "credit_code")
        )
        catalogue = _catalogue(departments)
        city_departments, county_departments = [], []
        for department in departments:
            items = catalogue.get(department.pk)
            if not items:
                if catalogue_only:
                    continue
                items = _synthetic_items(department, rng)
            weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(items))]
            order = list(range(len(items)))
            rng.shuffle(order)
            definition = DepartmentDef(
                department.credit_code,
                department.name,
                department.region_id,
                [items[i] for i in order],
                _cumulative(weights),
            )
            if department.region_id == region.code:
                city_departments.append(definition)
            else:
                county_departments.append(definition)
        if not city_departments and not county_departments:
            continue
        # Within a city: the city's own departments take 40 % of its cases (all of them
        # where the city has no counties, as in Dongguan and Zhongshan), each group's
        # departments skewed by a Zipf-like weight in a seeded order.
        weights = []
        groups = [(city_departments, 0.4), (county_departments, 0.6)]
        if not city_departments or not county_departments:
            groups = [(city_departments or county_departments, 1.0)]
        ordered = []
        for group, share in groups:
            rng.shuffle(group)
            zipf = [1.0 / (rank + 1) ** 0.8 for rank in range(len(group))]
            total = sum(zipf)
            weights += [share * w / total for w in zipf]
            ordered += group
        profile = random.Random(f"city:{seed}:{region.code}")
        delta = region.code in PEARL_RIVER_DELTA
        city = CityDef(
            code=region.code,
            name=region.name,
            weight=CITY_WEIGHTS.get(region.code, 3.0),
            online=profile.uniform(0.74, 0.93) if delta else profile.uniform(0.48, 0.74),
            mobile=profile.uniform(0.28, 0.48),
            zero_visits=profile.uniform(0.66, 0.86) if delta else profile.uniform(0.52, 0.72),
            departments=ordered,
            cumulative=_cumulative(weights),
        )
        city_list.append(city)
    if not city_list:
        raise ValueError("没有可生成办件的地市和部门：请先载入参考数据（load_reference_data）。")
    return Plan(
        cities=city_list,
        cumulative=_cumulative(c.weight for c in city_list),
        persons=[_person(rng) for _ in range(20_000)],
        companies=[_company(rng, city_list) for _ in range(4_000)],
        handlers=[_name(rng) for _ in range(200)],
    )


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _person(rng: random.Random) -> tuple[str, str, str]:
    # The blind index of an ID number is an HMAC-SHA256 in hex (never the number).
    return _name(rng), f"{rng.getrandbits(256):064x}", _phone(rng)


def _company(rng: random.Random, cities: list[CityDef]) -> tuple[str, str, str]:
    city = rng.choice(cities)
    name = f"{city.name.removesuffix('市')}{_name(rng)[1:]}{rng.choice(TRADES)}有限公司"
    code = make_credit_code("91", city.code, f"{rng.randrange(10**8):08d}")
    return name, code, _phone(rng)


# --- the clock ----------------------------------------------------------------------------


def local_seconds(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) + OFFSET


def _working_start(local: int) -> int:
    """The moment itself if within office hours (09:00–17:30 on a weekday), else the
    next 09:00 of a weekday. Day numbers count from 1970-01-01, a Thursday, so
    ``(day + 3) % 7`` is 0 on Mondays."""
    day, second = divmod(local, DAY)
    if second >= 17 * 3600 + 1800:
        day, second = day + 1, 0
    while (day + 3) % 7 >= 5:
        day, second = day + 1, 0
    return day * DAY + max(second, 9 * 3600)


def _add_working_days(day: int, days: int) -> int:
    while days > 0:
        day += 1
        if (day + 3) % 7 < 5:
            days -= 1
    return day


# When applications come in a day: a tenth 07:00–09:00, eight tenths in office hours
# (09:00–17:30), a tenth in the evening to 23:00 (online); (second of day, share so far).
DAY_SHAPE = ((0, 0.0), (7 * 3600, 0.0), (9 * 3600, 0.1), (17 * 3600 + 1800, 0.9))
DAY_SHAPE += ((23 * 3600, 1.0), (DAY, 1.0))


def _day_mass(second: int) -> float:
    """Share of a day's applications made before ``second`` (seconds since midnight)."""
    for (s0, m0), (s1, m1) in itertools.pairwise(DAY_SHAPE):
        if second <= s1:
            return m0 + (m1 - m0) * (second - s0) / (s1 - s0)
    return 1.0


def _day_second(mass: float) -> int:
    """The inverse of ``_day_mass``: the second of the day by which ``mass`` is reached."""
    for (s0, m0), (s1, m1) in itertools.pairwise(DAY_SHAPE):
        if mass <= m1 and m1 > m0:
            return int(s0 + (s1 - s0) * (mass - m0) / (m1 - m0))
    return 23 * 3600


_DATES: dict[int, str] = {}


def _date(day: int) -> str:
    text = _DATES.get(day)
    if text is None:
        text = _DATES[day] = datetime.date.fromordinal(719163 + day).isoformat()
    return text


def iso(local: int) -> str:
    day, second = divmod(local, DAY)
    hour, rest = divmod(second, 3600)
    return f"{_date(day)}T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}+08:00"


# --- the stream ----------------------------------------------------------------------------


@dataclass
class Row:
    """One process record: the columns monitoring reads and the exchange payload."""

    record_id: str
    case_number: str
    implementation_code: str
    message_type: str
    event: str
    occurred_at: int  # local seconds (Asia/Shanghai)
    region_code: str
    department_code: str
    case_type: str
    channel: str
    visits: int
    payload: str  # JSON


class Stream:
    """Cases of a plan, application times spread over [start, end) in proportion to the
    records emitted so far (weekdays four times as busy as weekends), so exactly
    ``total`` records come out and application times never go backwards."""

    def __init__(
        self, plan: Plan, total: int, start: int, end: int, seed: int, *, block: int = 0
    ) -> None:
        self.plan, self.total, self.start, self.end = plan, total, start, end
        self.rng = random.Random(f"stream:{seed}")
        self.ids = random.Random(f"ids:{seed}")
        first_day, last_day = start // DAY, (end - 1) // DAY
        self.days = list(range(first_day, last_day + 1))
        weights, self.spans = [], []
        for day in self.days:
            # A day's share of its applications between the window's bounds (the first
            # and last days may be cut), weekdays four times as busy as weekends.
            low = _day_mass(max(start - day * DAY, 0))
            high = _day_mass(min(end - day * DAY, DAY))
            self.spans.append((low, high))
            weights.append((1.0 if (day + 3) % 7 < 5 else 0.25) * (high - low))
        self.day_cumulative = _cumulative(weights)
        # Sequence numbers of the case numbers: a block of 1,000 per seed and department
        # and day, clear of the live numbering (which starts at 1).
        self.block = block or 100 + seed % 900
        self.sequence: dict[str, int] = {}
        self.sequence_day = -1
        self.emitted = 0
        self.cases = 0

    def __iter__(self) -> Iterator[list[Row]]:
        rng, plan = self.rng, self.plan
        total_weight = self.day_cumulative[-1]
        while self.emitted < self.total:
            applied = self._application_time(self.emitted / self.total * total_weight)
            city = _pick(rng, plan.cities, plan.cumulative)
            department = _pick(rng, city.departments, city.cumulative)
            item = _pick(rng, department.items, department.item_weights)
            rows = self._case(applied, city, department, item)
            rows = [row for row in rows if row.occurred_at < self.end]
            rows = rows[: self.total - self.emitted]
            self.emitted += len(rows)
            self.cases += 1
            yield rows

    def _application_time(self, position: float) -> int:
        """The moment at ``position`` along the window's weighted days: never backwards."""
        index = min(bisect.bisect_right(self.day_cumulative, position), len(self.days) - 1)
        before = self.day_cumulative[index - 1] if index else 0.0
        weight = self.day_cumulative[index] - before
        within = min(max((position - before) / weight, 0.0), 1.0) if weight else 0.0
        low, high = self.spans[index]
        moment = self.days[index] * DAY + _day_second(low + within * (high - low))
        return min(max(moment, self.start), self.end - 1)

    def _case_number(self, department: DepartmentDef, day: int) -> str:
        if day != self.sequence_day:
            self.sequence, self.sequence_day = {}, day
        count = self.sequence.get(department.code, 0) + 1
        self.sequence[department.code] = count
        sequence = self.block * 1000 + count  # past 999 a day, it runs into the next block
        date = _date(day).replace("-", "")
        return f"{department.region_code[:6]}{department.code[8:17]}{date}{sequence % 10**6:06d}"

    def _case(
        self, applied: int, city: CityDef, department: DepartmentDef, item: ItemDef
    ) -> list[Row]:
        rng, plan = self.rng, self.plan
        number = self._case_number(department, applied // DAY)
        if rng.random() < city.online:
            channel = "mobile" if rng.random() < city.mobile else "online"
            zero = city.zero_visits
            visits_p = (zero, (1 - zero) * 0.78, (1 - zero) * 0.18, (1 - zero) * 0.04)
        else:
            r = rng.random()
            channel = "third_party"
            for name, share in OFFLINE_CHANNELS:
                if r < share:
                    channel = name
                    break
                r -= share
            visits_p = VISITS[channel]
        r, final = rng.random(), 3
        for count, share in enumerate(visits_p):
            if r < share:
                final = count
                break
            r -= share
        company = item.item_type == "XK" and rng.random() < 0.45
        applicant = rng.choice(plan.companies if company else plan.persons)
        handler_department = department.code
        header = {
            "format": FORMAT_VERSION,
            "case_number": number,
            "implementation_code": item.code,
            "item_name": item.name,
            "case_type": item.case_type,
            "channel": channel,
            "department": {"code": department.code, "name": department.name},
            "region_code": department.region_code,
        }
        rows: list[Row] = []
        state = {"promised_due": None, "statutory_due": None, "visits": 0}
        dues = {"promised": "null", "statutory": "null"}  # as JSON

        # The fields every record of the case shares, encoded once: the payload is this
        # prefix, the record's own fields, and its details.
        prefix = _dumps(header)[:-1]

        def add(event, moment, case_state, details, applicant=None):
            record_id = _uuid(self.ids)
            message_type = MESSAGE_TYPES[event]
            visits = state["visits"]
            payload = (
                f'{prefix},"record_id":"{record_id}","message_type":"{message_type}",'
                f'"event":"{event}","occurred_at":"{iso(moment)}","state":"{case_state}",'
                f'"visits":{visits},"promised_due":{dues["promised"]},'
                f'"statutory_due":{dues["statutory"]},'
                f'"bundle_number":null,'
                + (f'"applicant":{_dumps(applicant)},' if applicant else "")
                + f'"details":{_dumps(details)}}}'
            )
            rows.append(
                Row(
                    record_id,
                    number,
                    item.code,
                    message_type,
                    event,
                    moment,
                    department.region_code,
                    department.code,
                    item.case_type,
                    channel,
                    visits,
                    payload,
                )
            )

        def step(code, name, started, ended, action="pass", opinion="同意", **more):
            details = {
                "step_code": code,
                "step_name": name,
                "action": action,
                "handler": rng.choice(plan.handlers),
                "handler_department": handler_department,
                "opinion": opinion,
                "started_at": iso(started),
                "completed_at": iso(ended),
            }
            details.update(more)
            return details

        def later(moment, low, high):
            moment += rng.randrange(low, high)
            opened = _working_start(moment)
            # Work that waits for the next morning starts some time after nine.
            return opened if opened == moment else opened + rng.randrange(5400)

        offline_first = channel in ("counter", "kiosk")
        state["visits"] = min(final, 1 if offline_first else 0)
        remaining = final - state["visits"]
        if remaining and rng.random() < 0.6:
            delivery = "pickup"
        else:
            delivery = "electronic" if rng.random() < 0.75 else "post"
        reserve = 1 if delivery == "pickup" else 0
        kind = "company" if company else "person"
        add(
            "submit",
            applied,
            "submitted",
            {"materials": [m for _, m in item.materials], "bundle": None},
            applicant={
                "kind": kind,
                "name": applicant[0],
                "id_type": "001" if company else "111",
                "id_key": applicant[1],
                "contact_phone": applicant[2],
            },
        )
        moment = applied
        roll = rng.random()
        if roll < 0.015:  # withdrawn before acceptance
            moment = later(moment, 1800, 2 * DAY)
            add(
                "withdraw",
                moment,
                "withdrawn",
                {"conclusion_code": "2", "reason": "申请人撤回申请"},
            )
            return rows
        if roll < 0.105:  # 补正: one notice listing everything missing, then the supplement
            moment = later(moment, 1800, DAY)
            code, name = item.materials[rng.randrange(len(item.materials))]
            add(
                "request_correction",
                moment,
                "awaiting_correction",
                {
                    "items": [
                        {"material_code": code, "name": name, "problem": "材料不完整，请补齐"}
                    ],
                    "note": "请一次性补齐上述材料",
                },
            )
            moment = later(moment, 3 * 3600, 5 * DAY)
            if rng.random() < 0.12:
                add(
                    "withdraw",
                    moment,
                    "withdrawn",
                    {"conclusion_code": "2", "reason": "逾期未补正，申请人撤回"},
                )
                return rows
            if remaining > reserve:
                state["visits"] += 1
                remaining -= 1
            add(
                "submit_correction",
                moment,
                "submitted",
                {"materials": [code], "note": "已补齐材料"},
            )
        started = moment
        moment = later(moment, 600, DAY // 2)
        if rng.random() < 0.03:  # 不予受理
            add(
                "reject",
                moment,
                "rejected",
                step("0", "受理", started, moment, action="other", opinion="不属于本部门受理范围",
                     accepted=False, document_number=None),
            )  # fmt: skip
            return rows
        accept_day = moment // DAY
        if item.case_type == CaseType.PROMISED:
            state["promised_due"] = _date(_add_working_days(accept_day, item.promised_days))
            state["statutory_due"] = _date(_add_working_days(accept_day, item.statutory_days))
            dues["promised"] = f'"{state["promised_due"]}"'
            dues["statutory"] = f'"{state["statutory_due"]}"'
        state["visits"] += remaining - reserve  # on-site checks at acceptance
        remaining = reserve
        document = f"受字〔{_date(accept_day)[:4]}〕{self.cases % 100_000 + 1}号"
        add(
            "accept",
            moment,
            "in_progress",
            step("0", "受理", started, moment, accepted=True, document_number=document,
                 promised_due=state["promised_due"]),
        )  # fmt: skip
        if item.case_type == CaseType.INSTANT:  # decided the same day
            started, moment = moment, moment + rng.randrange(600, 3600)
        else:
            started, moment = moment, later(moment, 3600, 3 * DAY)
            add("complete_step", moment, "in_progress", step("1", "承办", started, moment))
            started, moment = moment, later(moment, 1800, 2 * DAY)
            if rng.random() < 0.03:  # returned to 承办, done again
                add(
                    "return_step",
                    moment,
                    "in_progress",
                    step("2", "审核", started, moment, action="return", opinion="请补充核查意见"),
                )
                started, moment = moment, later(moment, 1800, 2 * DAY)
                add("complete_step", moment, "in_progress", step("1", "承办", started, moment))
                started, moment = moment, later(moment, 1800, DAY)
            add("complete_step", moment, "in_progress", step("2", "审核", started, moment))
            if rng.random() < 0.04:  # 特别程序: the clock stops meanwhile
                procedure = rng.choice(PROCEDURES)
                label = PROCEDURE_NAMES[procedure]
                moment = later(moment, 1800, DAY)
                add("start_special", moment, "suspended",
                    {"procedure": procedure, "reason": f"需进行{label}"})  # fmt: skip
                days = rng.randrange(3, 21)
                moment = _working_start(moment + days * DAY)
                add("end_special", moment, "in_progress",
                    {"procedure": procedure, "result": f"{label}已完成", "days": days})  # fmt: skip
            started, moment = moment, later(moment, 1800, 2 * DAY)
        approve = rng.random() < 0.96
        decision = "approve" if approve else "deny"
        add(
            "decide",
            moment,
            "decided",
            step("3", "批准", started, moment, opinion="准予许可" if approve else "不予许可",
                 decision=decision, reason="符合法定条件" if approve else "不符合法定条件"),
        )  # fmt: skip
        moment += rng.randrange(300, 4 * 3600)
        year = int(_date(moment // DAY)[:4])
        conclusion = {
            "conclusion_code": "0" if approve else "6",
            "decision": decision,
            "result_name": item.result_name if approve else None,
            "result_number": f"{department.code[8:16]}{year}{self.cases % 10**6:06d}"
            if approve
            else None,
            "valid_until": _date(moment // DAY + 3 * 365)
            if approve and item.item_type == "XK"
            else None,
            "delivery": delivery,
            "tracking_number": f"EMS{rng.randrange(10**10):010d}" if delivery == "post" else None,
            "fee": "0",
        }
        add("conclude", moment, "concluded", conclusion)
        if delivery == "pickup" or (delivery == "post" and rng.random() < 0.85):
            moment = later(moment, 3600, 8 * DAY)
            state["visits"] += remaining
            collected_by = applicant[0] if not company else _name(rng)
            add("deliver", moment, "concluded",
                {"delivery": delivery, "collected_by": collected_by, "note": ""})  # fmt: skip
        if rng.random() < 0.35:
            moment += rng.randrange(600, 3 * DAY)
            rating = {"level": rng.choice(RATING_LEVELS), "comment": "", "channel": channel}
            add("rate", moment, "concluded", rating)
        return rows


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _uuid(rng: random.Random) -> str:
    text = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(text[16], 16) & 3]
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{variant}{text[17:20]}-{text[20:32]}"


def first_record_id(seed: int) -> str:
    """The id of the first record a seed produces (to tell whether it was written)."""
    return _uuid(random.Random(f"ids:{seed}"))


# --- writing ---------------------------------------------------------------------------------

COLUMNS = (
    "record_id",
    "case_number",
    "implementation_code",
    "message_type",
    "event",
    "occurred_at",
    "region_code",
    "department_code",
    "case_type",
    "channel",
    "visits",
    "source",
    "payload",
    "received_at",
)


def copy_line(row: Row, source: str, now: int) -> str:
    """The row as a line of COPY text (no tab, newline or backslash in the values but
    JSON's own escapes, which are doubled)."""
    payload = row.payload
    if "\\" in payload:
        payload = payload.replace("\\", "\\\\")
    received = min(row.occurred_at + 300 + row.occurred_at % 3600, now)
    return (
        f"{row.record_id}\t{row.case_number}\t{row.implementation_code}\t{row.message_type}\t"
        f"{row.event}\t{iso(row.occurred_at)}\t{row.region_code}\t{row.department_code}\t"
        f"{row.case_type}\t{row.channel}\t{row.visits}\t{source}\t{payload}\t{iso(received)}\n"
    )


def _insert_values(rows: list[Row], source: str, now: int) -> list[tuple]:
    adapt = connection.ops.adapt_datetimefield_value
    to_utc = datetime.datetime.fromtimestamp
    values = []
    for row in rows:
        received = min(row.occurred_at + 300 + row.occurred_at % 3600, now)
        values.append(
            (
                row.record_id.replace("-", "") if connection.vendor == "sqlite" else row.record_id,
                row.case_number,
                row.implementation_code,
                row.message_type,
                row.event,
                adapt(to_utc(row.occurred_at - OFFSET, datetime.UTC)),
                row.region_code,
                row.department_code,
                row.case_type,
                row.channel,
                row.visits,
                source,
                row.payload,
                adapt(to_utc(received - OFFSET, datetime.UTC)),
            )
        )
    return values


def _table() -> str:
    return connection.ops.quote_name(ProcessRecord._meta.db_table)


def write_rows(rows: list[Row], source: str, *, now: int | None = None) -> int:
    """Write rows in the caller's transaction: one COPY on PostgreSQL, else executemany."""
    if not rows:
        return 0
    now = now if now is not None else local_seconds(timezone.now())
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            text = "".join(copy_line(row, source, now) for row in rows)
            with cursor.copy(f"COPY {_table()} ({columns}) FROM STDIN") as copy:
                copy.write(text)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(
                f"INSERT INTO {_table()} ({columns}) VALUES ({marks})",
                _insert_values(rows, source, now),
            )
    return len(rows)


def _load(batches: Iterable[list[Row]], source: str, now: int, rebuild_indexes: bool) -> None:
    """All batches in one transaction; with ``rebuild_indexes`` (PostgreSQL) the secondary
    indexes are dropped first and built once at the end — sorting millions of rows once
    is many times faster than as many inserts into three B-trees."""
    with transaction.atomic(), connection.cursor() as cursor:
        indexes = bulk.secondary_indexes([ProcessRecord._meta.db_table]) if rebuild_indexes else []
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for rows in batches:
            write_rows(rows, source, now=now)
        if indexes:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def _load_in_thread(
    batches: Iterable[list[Row]], source: str, now: int, rebuild_indexes: bool
) -> None:
    """``_load`` on its own connection in a thread, so PostgreSQL takes one batch while
    Python builds the next; a failure on either side rolls the whole load back."""
    bulk.load_in_thread(
        lambda incoming: _load(incoming, source, now, rebuild_indexes),
        batches,
        name="generate_process_records-writer",
        interrupted=lambda: RuntimeError("生成中断，已回滚。"),
    )


# --- the entry points ---------------------------------------------------------------------------


@dataclass
class Report:
    records: int = 0
    cases: int = 0
    seconds: float = 0.0
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None
    cities: int = 0
    departments: int = 0

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def window(months: int, end_month: datetime.date | None, now: datetime.datetime):
    """[start, end) in local seconds: ``months`` whole months ending with ``end_month``
    (default: this month), cut at ``now``."""
    local_now = timezone.localtime(now)
    end_month = end_month or local_now.date()
    year, month = end_month.year, end_month.month
    first_index = year * 12 + month - 1 - (months - 1)
    start = datetime.datetime(first_index // 12, first_index % 12 + 1, 1, tzinfo=SHANGHAI)
    after = year * 12 + month
    end = datetime.datetime(after // 12, after % 12 + 1, 1, tzinfo=SHANGHAI)
    return local_seconds(start), min(local_seconds(end), local_seconds(now))


def stream(
    records: int,
    *,
    start: int,
    end: int,
    seed: int = 1,
    plan: Plan | None = None,
    cities: int = 21,
) -> Stream:
    """Cases (lists of rows) of ``records`` records over [start, end) local seconds."""
    if records < 1:
        raise ValueError("records must be positive")
    if end <= start:
        raise ValueError("the window is empty")
    return Stream(plan or build_plan(cities=cities, seed=seed), records, start, end, seed)


def batched(cases: Iterable[list[Row]], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for rows in cases:
        batch.extend(rows)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(
    records: int = 10_000_000,
    *,
    months: int = 24,
    end_month: datetime.date | None = None,
    seed: int = 1,
    cities: int = 21,
    source: str = "bench",
    batch: int = BATCH,
    plan: Plan | None = None,
    now: datetime.datetime | None = None,
    rebuild_indexes: bool | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Report:
    """Write ``records`` process records (see the module's docstring); returns a report.

    Raises ``ValueError`` when this seed's records are already in the database."""
    if records < 1 or months < 1 or batch < 1:
        raise ValueError("records, months and batch must be positive")
    if not source or len(source) > 60:
        raise ValueError("source must be 1–60 characters")
    if ProcessRecord.objects.filter(record_id=first_record_id(seed)).exists():
        raise ValueError(f"种子 {seed} 的过程信息已经生成过，请换一个种子（--seed）。")
    started = time.perf_counter()
    now = now or timezone.now()
    start, end = window(months, end_month, now)
    plan = plan or build_plan(cities=cities, seed=seed)
    cases = stream(records, start=start, end=end, seed=seed, plan=plan)
    local_now = local_seconds(now)
    report = Report(cities=len(plan.cities), departments=plan.departments)

    def batches():
        for rows in batched(cases, batch):
            report.records += len(rows)
            if progress:
                progress(report.records, time.perf_counter() - started)
            yield rows

    if connection.vendor == "postgresql":
        if rebuild_indexes is None:
            existing = ProcessRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
            rebuild_indexes = records >= max(100_000, (existing or 0) // 2)
    else:
        rebuild_indexes = False
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        _load_in_thread(batches(), source, local_now, rebuild_indexes)
    else:  # inside the caller's transaction: on its connection, committed with it
        _load(batches(), source, local_now, rebuild_indexes)
    report.cases = cases.cases
    report.seconds = time.perf_counter() - started
    report.first = datetime.datetime.fromtimestamp(start - OFFSET, datetime.UTC)
    report.last = datetime.datetime.fromtimestamp(end - OFFSET, datetime.UTC)
    # Bulk writes bypass everything per row: one audit entry records the run.
    audit.record(
        audit.Action.IMPORT,
        object_type=ProcessRecord._meta.label_lower,
        object_repr="生成办件过程信息",
        after={"records": report.records, "cases": report.cases, "seed": seed, "source": source},
        reason="基准测试或演示数据生成（批量写入）",
    )
    return report


def load_demo(*, refresh_rollups: bool = True) -> int:
    """The demo's process records: 20,000 over the last 12 months, written once (none
    when demo records exist already), then folded into the roll-ups. Returns how many
    records were written."""
    if ProcessRecord.objects.filter(source=DEMO_SOURCE).exists():
        return 0
    today = timezone.localdate()
    report = generate(
        DEMO_RECORDS,
        months=DEMO_MONTHS,
        end_month=today,
        seed=DEMO_SEED,
        source=DEMO_SOURCE,
        batch=5_000,
    )
    if refresh_rollups:
        from govhall.monitoring.services.refresh import refresh

        refresh()
    return report.records
