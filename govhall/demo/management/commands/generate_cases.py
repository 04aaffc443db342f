"""Generate many cases with their tasks for benchmarks (``manage.py generate_cases``).

Bulk writes, no services: on PostgreSQL the rows stream in with ``COPY`` (psycopg's
``cursor.copy``) from a writer thread while the next chunk is built, elsewhere with
plain ``executemany`` INSERTs in chunks, so a million cases take a few minutes. The
data looks like two years of a province's intake:

* cases go to the departments that have published items, with a skew — one department
  holds about a third of them and the next four a quarter, so the largest department
  has a backlog of 50,000+ open tasks at 1,000,000 cases;
* about 10 % are open (submitted, awaiting correction, in progress, suspended, decided)
  and were submitted in the last eight months; the rest are concluded, rejected or
  withdrawn and spread over two years; submission dates never include today, so the
  live numbering of today's cases never meets a generated number;
* each case has its tasks: the acceptance step and the item's steps as done rows, and
  one open task for an open case, due dates counted on the holiday calendar;
* applicants come from a reused pool of persons and companies (``casegen…`` accounts)
  with one application each; the cases reference those applications.

Case numbers follow ``services.numbers`` and continue the per-department, per-day
counters, which are written back, so runs can be repeated and numbers stay unique. One
audit entry records each run, since bulk writes bypass the per-row audit.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from govhall.accounts.models import Company, Person, RealNameLevel, User
from govhall.cases.models import (
    ACCEPTANCE_STEP,
    Application,
    Case,
    CaseNumberCounter,
    CaseState,
    CaseStep,
    ClockScan,
    Suspension,
)
from govhall.cases.services import steps as case_steps
from govhall.cases.services.clocks import ACCEPTANCE_LIMIT_DAYS
from govhall.cases.services.numbers import SEQUENCE_DIGITS
from govhall.catalog.models import CaseType, Item, Step
from govhall.core.identifiers import make_credit_code, make_id_number
from govhall.core.models import CalendarDay
from govhall.core.services import audit, bulk, calendar
from govhall.regions.models import Department, Post

S = CaseState
HISTORY_DAYS = 730
OPEN_WINDOW_DAYS = 240
OPEN_MIX = [(S.SUBMITTED, 35), (S.AWAITING_CORRECTION, 10), (S.IN_PROGRESS, 45)]
OPEN_MIX += [(S.SUSPENDED, 5), (S.DECIDED, 5)]
FINAL_MIX = [(S.CONCLUDED, 88), (S.REJECTED, 6), (S.WITHDRAWN, 6)]
CHANNELS = [("online", 70), ("mobile", 15), ("counter", 15)]
POOL_PREFIX = "casegen"
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭许曾蔡邓冯周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文辉"
TRADES = ["贸易", "科技", "餐饮", "建筑", "物流", "电子", "食品", "陶瓷", "五金", "服饰"]
COUNTIES = ["440703", "440704", "440705", "440781", "445102", "445103", "440103", "440305"]


# --- what to generate ----------------------------------------------------------------


@dataclass
class StepDef:
    """A task definition; ``text`` is its COPY fields (sequence … catalogue_index)."""

    department_id: int
    days: int
    text: str


@dataclass
class ItemPlan:
    item_id: int
    statutory: int | None
    promised: int
    name: str  # escaped for COPY text
    result_name: str
    steps: list[StepDef]
    text: str  # item_id … promised_limit_days


@dataclass
class DepartmentPlan:
    department: Department
    items: list[ItemPlan]
    acceptance: StepDef
    share: float = 0.0
    open_probability: float = 0.0


@dataclass
class Applicant:
    name: str
    text: str  # application_id … contact_phone


@dataclass
class Report:
    cases: int = 0
    steps: int = 0
    suspensions: int = 0
    open_tasks: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    seconds: float = 0.0


def _item_plan(item: Item, steps: list[Step]) -> ItemPlan:
    version = item.current
    definitions = []
    # The tasks the case engine makes of these steps, in its order (services.steps).
    for index, s in enumerate(case_steps.walk(steps)):
        department = s.department or item.department
        code = case_steps.step_code(s)
        fields = (index + 1, code, s.name, s.post, department.pk, department.region_id)
        definitions.append(
            StepDef(department.pk, s.time_limit_days, _row(*fields, s.time_limit_days, index))
        )
    name = version.name[:200]
    return ItemPlan(
        item.pk,
        version.statutory_limit_days,
        version.promised_limit_days,
        _text(name),
        _text((version.result_name or f"{name}结果")[:200]),
        definitions,
        _row(
            item.pk,
            version.pk,
            name,
            item.implementation_code,
            item.region_id,
            version.case_type or CaseType.PROMISED,
            version.statutory_limit_days,
            version.promised_limit_days,
        ),
    )


def plan_departments(top_share: float, open_share: float, top_open: float) -> list[DepartmentPlan]:
    """Departments with published items, largest first, with their share of the cases."""
    items = list(
        Item.objects.filter(status=Item.Status.ACTIVE, current__isnull=False)
        .select_related("current", "department__region")
        .order_by("department_id", "pk")
    )
    steps = defaultdict(list)
    versions = [item.current_id for item in items]
    for step in Step.objects.filter(version_id__in=versions).select_related("department"):
        steps[step.version_id].append(step)
    by_department: dict[int, DepartmentPlan] = {}
    for item in items:
        plan = by_department.get(item.department_id)
        if plan is None:
            department = item.department
            fields = (0, case_steps.ACCEPTANCE_CODE, ACCEPTANCE_STEP, Post.CLERK)
            fields += (department.pk, department.region_id, ACCEPTANCE_LIMIT_DAYS, None)
            acceptance = StepDef(department.pk, ACCEPTANCE_LIMIT_DAYS, _row(*fields))
            plan = by_department[item.department_id] = DepartmentPlan(department, [], acceptance)
        plan.items.append(_item_plan(item, steps[item.current_id]))
    plans = sorted(by_department.values(), key=lambda p: (-len(p.items), p.department.pk))
    if not plans:
        raise CommandError("没有已发布的事项：请先运行 manage.py load_catalog_demo。")
    # One large department, four big ones, then a long tail (Zipf).
    big = [(1 - top_share) * w for w in (0.123, 0.108, 0.085, 0.069)]
    tail = 1 - top_share - sum(big)
    zipf = [1 / (rank + 1) for rank in range(max(0, len(plans) - 1 - len(big)))]
    shares = [top_share, *big][: len(plans)] + [tail * z / sum(zipf) for z in zipf]
    total = sum(shares)
    other_open = max(0.0, (open_share - top_share * top_open) / (1 - top_share))
    for index, plan in enumerate(plans):
        plan.share = shares[index] / total
        plan.open_probability = top_open if index == 0 else other_open
    return plans


class Clock:
    """Days as indexes from ``first``, with working-day arithmetic over the holiday calendar
    read once (``calendar.add_working_days`` without suspensions, without a query each)."""

    def __init__(self, first: datetime.date, last: datetime.date, today: datetime.date):
        kinds = {
            row.date: row.kind
            for year in range(first.year, last.year + 1)
            for row in calendar.exceptions_in(year)
        }
        self.first, self.today = first, today
        self.dates = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
        self.text = [d.isoformat() for d in self.dates]
        self.work = [
            index
            for index, day in enumerate(self.dates)
            if kinds.get(day) == CalendarDay.Kind.WORKDAY
            or (kinds.get(day) != CalendarDay.Kind.HOLIDAY and day.weekday() < 5)
        ]
        self.working = frozenset(self.work)

    def index(self, day: datetime.date) -> int:
        return (day - self.first).days

    def is_working(self, index: int) -> bool:
        return index in self.working

    def add(self, start: int, working_days: int) -> int:
        """The ``working_days``-th working day after ``start`` (0: start or the next one)."""
        if working_days == 0:
            position = bisect.bisect_left(self.work, start)
        else:
            position = bisect.bisect_right(self.work, start) + working_days - 1
        return self.work[min(position, len(self.work) - 1)]


# --- the applicant pool ---------------------------------------------------------------


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES) + given


@transaction.atomic
def applicant_pool(size: int, items: list[ItemPlan], rng: random.Random) -> list[Applicant]:
    """Reuse the ``casegen`` persons (and their companies), creating what is missing."""
    now = timezone.now()
    existing = Person.objects.filter(user__username__startswith=POOL_PREFIX).count()
    users, persons = [], []
    for index in range(existing, size):
        users.append(
            User(
                username=f"{POOL_PREFIX}{index:07d}",
                password="!",  # unusable: pool accounts never sign in
                display_name=_name(rng),
                date_joined=now,
            )
        )
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    for index, user in zip(range(existing, size), users, strict=True):
        birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=index // 900)
        id_number = make_id_number(COUNTIES[index % len(COUNTIES)], birth, index % 900 + 100)
        persons.append(
            Person(
                user_id=user_ids[user.username],
                id_number=id_number,
                id_number_index=Person.index_for(id_number),
                name=user.display_name,
                realname_level=RealNameLevel.ONLINE_VERIFIED,
                realname_verified_at=now,
            )
        )
    Person.objects.bulk_create(persons, batch_size=2000)
    pool = list(
        Person.objects.filter(user__username__startswith=POOL_PREFIX)
        .order_by("pk")
        .values_list("pk", "user_id", "name", "id_number_index")[:size]
    )
    companies = _company_pool(pool[: max(1, size // 10)], rng, now)
    wanted = [(p, u, n, None) for p, u, n, _ in pool]
    wanted += [(p, u, n, companies[p][0]) for p, u, n, _ in pool if p in companies]
    mine = Application.objects.filter(
        user__username__startswith=POOL_PREFIX, state=Application.State.SUBMITTED
    )
    have = set(mine.values_list("person_id", "company_id"))
    Application.objects.bulk_create(
        [
            Application(
                state=Application.State.SUBMITTED,
                item_id=rng.choice(items).item_id,
                user_id=user_id,
                person_id=person_id,
                company_id=company_id,
                contact_name=name[:50],
                contact_phone=f"13{rng.randrange(10**9):09d}",
                submitted_at=now,
            )
            for person_id, user_id, name, company_id in wanted
            if (person_id, company_id) not in have
        ],
        batch_size=2000,
    )
    applications = {(a.person_id, a.company_id): a for a in mine}
    result = []
    for person_id, _user_id, name, index_key in pool:
        result.append(_applicant(applications[(person_id, None)], "person", name, index_key))
        if person_id in companies:
            company_id, company_name, credit_code = companies[person_id]
            application = applications[(person_id, company_id)]
            result.append(_applicant(application, "company", company_name, credit_code))
    return result


def _applicant(application: Application, kind: str, name: str, key: str) -> Applicant:
    return Applicant(
        _text(name),
        _row(
            application.pk,
            kind,
            name,
            key,
            application.person_id,
            application.company_id,
            application.user_id,
            application.contact_name,
            application.contact_phone,
        ),
    )


def _company_pool(owners, rng: random.Random, now) -> dict[int, tuple[int, str, str]]:
    """One company per owner (every tenth pool person is a legal representative)."""
    have = {
        c.legal_representative_id: c
        for c in Company.objects.filter(legal_representative_id__in=[o[0] for o in owners])
    }
    new = []
    for number, (person_id, user_id, *_rest) in enumerate(owners):
        if person_id in have:
            continue
        code = make_credit_code("91", "440703", f"G{person_id:07d}"[-8:])
        city = rng.choice(["江门市", "潮州市", "广州市", "深圳市"])
        new.append(
            Company(
                credit_code=code,
                name=f"{city}{rng.choice(SURNAMES)}氏{rng.choice(TRADES)}有限公司{number}",
                legal_representative_id=person_id,
                registered_by_id=user_id,
                registered_at=now,
            )
        )
    Company.objects.bulk_create(new, batch_size=2000)
    rows = Company.objects.filter(legal_representative_id__in=[o[0] for o in owners])
    return {c.legal_representative_id: (c.pk, c.name, c.credit_code) for c in rows}


# --- rows -------------------------------------------------------------------------------
#
# Rows are built directly as COPY text (tab-separated, ``\N`` is NULL); the fields that
# belong to an item, a step definition or an applicant are rendered once and reused.
# Moments are seconds since the clock's first day (local time), rendered through tables.

NULL = "\\N"
ESCAPES = str.maketrans({"\\": "\\\\", "\t": " ", "\n": " ", "\r": " "})


def _text(value) -> str:
    if value is None:
        return NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return str(value).translate(ESCAPES)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _row(*values) -> str:
    return "\t".join(map(_text, values))


def daily_counts(total: int, days: list[int], clock: Clock) -> list[int]:
    """Spread ``total`` over ``days``: working days busy, rest days a third as busy."""
    weights = [1.0 if clock.is_working(d) else 0.3 for d in days]
    scale, counts, carried, running = total / sum(weights), [], 0, 0.0
    for weight in weights:
        running += weight * scale
        counts.append(round(running) - carried)
        carried += counts[-1]
    return counts


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    cumulative = list(itertools.accumulate(weights))
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


class Generator:
    """Produces case, step and suspension rows (text fields in ``*_COLUMNS`` order)."""

    CASE_COLUMNS = (
        "id number state channel visits submitted_at accepted_at acceptance_due "
        "statutory_due promised_due document_number decision decided_at rejection_reason "
        "concluded_at conclusion_code result_name result_number delivery withdrawal_reason "
        "updated_at department_id "
        "item_id item_version_id item_name implementation_code region_id case_type "
        "statutory_limit_days promised_limit_days "
        "application_id applicant_kind applicant_name applicant_key person_id company_id "
        "user_id contact_name contact_phone"
    ).split()
    STEP_COLUMNS = (
        "id case_id state started_at due_date completed_at action opinion case_number "
        "case_state item_name applicant_name sequence code name post department_id "
        "region_code time_limit_days catalogue_index"
    ).split()
    SUSPENSION_COLUMNS = "id case_id kind reason started_on".split()

    def __init__(self, plans, applicants, counters, clock: Clock, seed, first_ids):
        self.rng = rng = random.Random(seed)
        self.plans, self.applicants, self.counters, self.clock = plans, applicants, counters, clock
        self.case_id, self.step_id, self.suspension_id = first_ids
        self.now = timezone.now().isoformat()
        shares = [p.share for p in plans]
        self.open_share = sum(p.share * p.open_probability for p in plans) / sum(shares)
        self.open_department = _weighted(rng, [(p, p.share * p.open_probability) for p in plans])
        self.final_department = _weighted(
            rng, [(p, p.share * (1 - p.open_probability)) for p in plans]
        )
        self.open_state = _weighted(rng, OPEN_MIX)
        self.final_state = _weighted(rng, FINAL_MIX)
        self.channel = _weighted(rng, CHANNELS)
        self.seconds = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        self.last_day = clock.index(clock.today) - 1  # generated days end yesterday
        self.offset = timezone.localtime().isoformat()[-6:]  # the local zone, e.g. +08:00
        self.touched: set[tuple[int, datetime.date]] = set()
        self.report = Report()

    def days(self, count: int):
        """Yield (day, rows) from two years ago up to yesterday, in submission order."""
        opened = round(count * self.open_share)
        history = list(range(self.last_day - HISTORY_DAYS + 1, self.last_day + 1))
        finals = daily_counts(count - opened, history, self.clock)
        opens = daily_counts(opened, history[-OPEN_WINDOW_DAYS:], self.clock)
        opens = [0] * (len(history) - len(opens)) + opens
        for day, n_final, n_open in zip(history, finals, opens, strict=True):
            kinds = [False] * n_final + [True] * n_open
            self.rng.shuffle(kinds)
            yield day, [self.case(day, is_open) for is_open in kinds]

    # time: a moment is seconds since the clock's first day (local time)
    def _at(self, day: int) -> int:
        return day * 86400 + self.rng.randrange(8 * 3600, 20 * 3600)

    def _later(self, moment: int, working_days: int) -> int:
        """A moment ``working_days`` later in office hours, never after yesterday."""
        day = moment // 86400
        if working_days:
            day = self.clock.add(day, working_days)
        return max(moment, self._at(min(day, self.last_day)))

    def _moment(self, moment: int | None) -> str:
        if moment is None:
            return NULL
        return f"{self.clock.text[moment // 86400]} {self.seconds[moment % 86400]}{self.offset}"

    def _number(self, department: Department, day: int) -> str:
        key = (department.pk, self.clock.dates[day])
        sequence = self.counters.get(key, 0) + 1
        if sequence >= 10**SEQUENCE_DIGITS:
            raise CommandError(f"{department.name}在{key[1]}的办件超过了编号容量。")
        self.counters[key] = sequence
        self.touched.add(key)
        stamp = self.clock.text[day].replace("-", "")
        return f"{department.region_id[:6]}{department.credit_code[8:17]}{stamp}{sequence:06d}"

    def case(self, day: int, is_open: bool):
        rng, clock, text = self.rng, self.clock, self.clock.text
        plan = self.open_department() if is_open else self.final_department()
        item = rng.choice(plan.items)
        state = self.open_state() if is_open else self.final_state()
        if state in (S.IN_PROGRESS, S.SUSPENDED) and not item.steps:
            state = S.SUBMITTED  # an item without steps is decided at acceptance
        applicant = rng.choice(self.applicants)
        channel = self.channel()
        number = self._number(plan.department, day)
        case_id = str(self.case_id)
        self.case_id += 1
        submitted = self._at(day)
        accepted = statutory_due = promised_due = decided = concluded = None
        decision = rejection = conclusion = result_name = result_number = delivery = ""
        withdrawal = document = ""
        steps, suspension = [], None
        tail = f"{number}\t{state}\t{item.name}\t{applicant.name}"

        def step(definition, started, step_state, done=None, action="pass", opinion="同意"):
            due = text[clock.add(started // 86400, definition.days)]
            if step_state == "open":
                action, opinion = "", ""
                self.report.open_tasks[definition.department_id] += 1
            elif step_state == "cancelled":
                action, opinion = "", ""
            steps.append(
                f"{self.step_id}\t{case_id}\t{step_state}\t{self._moment(started)}\t{due}\t"
                f"{self._moment(done)}\t{action}\t{opinion}\t{tail}\t{definition.text}"
            )
            self.step_id += 1

        acceptance = plan.acceptance
        if state in (S.SUBMITTED, S.AWAITING_CORRECTION):
            step(acceptance, submitted, "open")
            if state == S.AWAITING_CORRECTION:
                started = text[self._later(submitted, rng.randint(1, 3)) // 86400]
                suspension = (
                    f"{self.suspension_id}\t{case_id}\tcorrection\t等待申请人补正材料\t{started}"
                )
        elif state == S.WITHDRAWN:
            step(acceptance, submitted, "cancelled")
            concluded = self._later(submitted, rng.randint(0, 3))
            conclusion, withdrawal = "2", "申请人主动撤回"
        elif state == S.REJECTED:
            done = self._later(submitted, rng.randint(0, 4))
            rejection = "申请材料不符合法定形式。"
            step(acceptance, submitted, "done", done, "other", "申请材料不符合法定形式，不予受理")
        else:
            accepted = self._later(submitted, rng.randint(0, 2))
            step(acceptance, submitted, "done", accepted)
            accepted_day = accepted // 86400
            document = f"受字〔{text[accepted_day][:4]}〕{number[-6:]}号"
            if item.statutory is not None:
                statutory_due = text[clock.add(accepted_day, item.statutory)]
            promised_due = text[clock.add(accepted_day, item.promised)]
            last = len(item.steps)
            if state in (S.IN_PROGRESS, S.SUSPENDED):
                last = rng.randrange(len(item.steps))
            moment = accepted
            for index, definition in enumerate(item.steps[: last + 1]):
                if index < last:
                    done = self._later(moment, rng.randint(0, max(1, definition.days)))
                    step(definition, moment, "done", done)
                    moment = done
                else:
                    step(definition, moment, "open")
            if state == S.SUSPENDED:
                started = text[self._later(moment, 1) // 86400]
                suspension = (
                    f"{self.suspension_id}\t{case_id}\texpert_review\t组织专家评审\t{started}"
                )
            if state in (S.DECIDED, S.CONCLUDED):
                decided = moment
                decision = "approve" if rng.random() < 0.95 else "deny"
            if state == S.CONCLUDED:
                concluded = self._later(decided, rng.randint(0, 2))
                approved = decision == "approve"
                conclusion = "0" if approved else "6"
                result_name = item.result_name if approved else "不予许可决定书"
                result_number = number if approved else f"{number}-B"
                delivery = rng.choice(("electronic", "electronic", "post", "pickup"))
        if suspension:
            self.suspension_id += 1
            self.report.suspensions += 1
        row = (
            f"{case_id}\t{number}\t{state}\t{channel}\t{1 if channel == 'counter' else 0}\t"
            f"{self._moment(submitted)}\t{self._moment(accepted)}\t"
            f"{text[clock.add(day, ACCEPTANCE_LIMIT_DAYS)]}\t{statutory_due or NULL}\t"
            f"{promised_due or NULL}\t{document}\t{decision}\t{self._moment(decided)}\t"
            f"{rejection}\t{self._moment(concluded)}\t{conclusion}\t{result_name}\t"
            f"{result_number}\t{delivery}\t{withdrawal}\t{self.now}\t{plan.department.pk}\t"
            f"{item.text}\t{applicant.text}"
        )
        self.report.cases += 1
        self.report.steps += len(steps)
        return row, steps, suspension


# --- writing ----------------------------------------------------------------------------


class Table:
    """One model's columns: the generated ones per row, every other one a constant default.

    PostgreSQL gets the rows as ``COPY`` text; other backends get a plain ``executemany``
    INSERT of the same fields converted back as Django would store them (the ORM's
    per-object cost would dominate otherwise; those backends are for small counts).
    """

    def __init__(self, model: type[models.Model], columns: list[str]):
        self.model, self.columns = model, columns
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for name, f in fields.items() if name not in columns]
        constants = []
        for f in rest:
            value = f.get_default() if f.has_default() else (None if f.null else "")
            constants.append(json.dumps(value) if isinstance(f, models.JSONField) else value)
        self.suffix = "".join("\t" + _text(v) for v in constants) + "\n"
        self.fields = [fields[name] for name in columns] + rest
        names = ", ".join(f.column for f in self.fields)
        self.copy_sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
        marks = ", ".join(["%s"] * len(self.fields))
        self.insert_sql = f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"

    def write(self, rows: list[str]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                suffix = self.suffix
                with cursor.copy(self.copy_sql) as copy:
                    copy.write(suffix.join(rows) + suffix)
            else:
                convert = [_converter(f) for f in self.fields]
                values = [
                    [
                        c(v)
                        for c, v in zip(convert, (row + self.suffix[:-1]).split("\t"), strict=True)
                    ]
                    for row in rows
                ]
                cursor.executemany(self.insert_sql, values)


def _converter(field: models.Field):
    """COPY text back to the value Django would send to this backend for ``field``."""
    ops = connection.ops

    def convert(value: str):
        if value == NULL:
            return None
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value(datetime.datetime.fromisoformat(value))
        if isinstance(field, models.BooleanField):
            return value == "t"
        if isinstance(field, models.IntegerField | models.ForeignKey):
            return int(value)
        return value

    return convert


def load(tables, batches, *, rebuild_indexes: bool) -> None:
    """Write every batch in one transaction; with ``rebuild_indexes`` (PostgreSQL) drop the
    secondary indexes first and build them again at the end — sorting a million rows once
    is many times faster than a million inserts into twenty B-trees. The transaction keeps
    all or nothing: a failure rolls back the rows and the dropped indexes alike."""
    with transaction.atomic(), connection.cursor() as cursor:
        names = [t.model._meta.db_table for t in tables]
        indexes = bulk.secondary_indexes(names) if rebuild_indexes else []
        if connection.vendor == "postgresql":
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                # Every id written was read from the database in this run, so the foreign
                # key triggers (most of the COPY time) are skipped for this transaction.
                cursor.execute("SET LOCAL session_replication_role = replica")
            else:  # check them after each COPY, not all at commit (bounded memory)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for batch in batches:
            for table, rows in zip(tables, batch, strict=True):
                table.write(rows)
        if indexes:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def load_in_thread(tables, batches, *, rebuild_indexes: bool) -> None:
    """``load`` on its own connection in a thread, so PostgreSQL ingests one batch while
    Python builds the next; an interrupted run rolls back rather than commits."""
    bulk.load_in_thread(
        lambda incoming: load(tables, incoming, rebuild_indexes=rebuild_indexes),
        batches,
        name="generate_cases-writer",
        interrupted=lambda: CommandError("生成中断，已回滚。"),
    )


def next_ids() -> tuple[int, int, int]:
    return tuple(
        (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        for model in (Case, CaseStep, Suspension)
    )


def reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Case, CaseStep, Suspension):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )


def save_counters(counters: dict, touched: set) -> None:
    rows = [
        CaseNumberCounter(department_id=d, day=day, last=counters[d, day]) for d, day in touched
    ]
    CaseNumberCounter.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["department", "day"],
        update_fields=["last"],
    )


def generate(
    count: int,
    *,
    seed: int = 20261122,
    pool: int = 5000,
    top_share: float = 0.35,
    open_share: float = 0.10,
    top_open: float = 0.16,
    chunk: int = 20000,
    rebuild_indexes: bool | None = None,
    progress=None,
) -> Report:
    """Write ``count`` cases with their tasks; returns what was written."""
    started = time.perf_counter()
    rng = random.Random(seed)
    plans = plan_departments(top_share, open_share, top_open)
    applicants = applicant_pool(pool, [i for p in plans for i in p.items], rng)
    today = timezone.localdate()
    first = today - datetime.timedelta(days=HISTORY_DAYS + 5)
    clock = Clock(first, today + datetime.timedelta(days=400), today)
    departments = [p.department.pk for p in plans]
    counters = {
        (c.department_id, c.day): c.last
        for c in CaseNumberCounter.objects.filter(department_id__in=departments, day__gte=first)
    }
    generator = Generator(plans, applicants, counters, clock, seed, next_ids())
    tables = (
        Table(Case, Generator.CASE_COLUMNS),
        Table(CaseStep, Generator.STEP_COLUMNS),
        Table(Suspension, Generator.SUSPENSION_COLUMNS),
    )

    def batches():
        batch: tuple[list, list, list] = ([], [], [])
        for _day, cases in generator.days(count):
            for row, steps, suspension in cases:
                batch[0].append(row)
                batch[1].extend(steps)
                if suspension:
                    batch[2].append(suspension)
            if len(batch[0]) >= chunk:
                yield batch
                batch = ([], [], [])
                if progress:
                    progress(generator.report, time.perf_counter() - started)
        yield batch

    if connection.vendor == "postgresql":
        if rebuild_indexes is None:  # worth it when the load is large against what is there
            rebuild_indexes = count >= max(50_000, next_ids()[0] // 2)
        load_in_thread(tables, batches(), rebuild_indexes=rebuild_indexes)
    else:
        load(tables, batches(), rebuild_indexes=False)
    reset_sequences()
    save_counters(counters, generator.touched)
    # Written beside the actions, not by them: the next deadline scan recomputes every
    # suspended clock even if one already ran today.
    ClockScan.objects.all().delete()
    report = generator.report
    report.seconds = time.perf_counter() - started
    audit.record(
        audit.Action.IMPORT,
        object_type="cases.case",
        object_repr="生成基准测试办件",
        after={"cases": report.cases, "steps": report.steps, "seed": seed},
        reason="基准测试数据生成（批量写入）",
    )
    return report


class Command(BaseCommand):
    help = "生成大量办件及其办理环节（默认100万件）用于性能基准测试。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1_000_000, help="生成办件数")
        parser.add_argument("--seed", type=int, default=20261122, help="随机种子")
        parser.add_argument("--pool", type=int, default=5000, help="复用的申请人数")
        parser.add_argument("--top-share", type=float, default=0.35, help="最大部门的办件占比")
        parser.add_argument("--open-share", type=float, default=0.10, help="未办结办件占比")
        parser.add_argument("--chunk", type=int, default=20000, help="每批写入的办件数")

    def handle(self, *args, count, seed, pool, top_share, open_share, chunk, **options):
        if count <= 0:
            raise CommandError("--count 必须是正整数。")
        if not 0 < top_share < 1 or not 0 <= open_share < 1:
            raise CommandError("--top-share 须在0与1之间，--open-share 须不小于0且小于1。")
        if pool < 1:
            raise CommandError("--pool 必须是正整数。")
        verbosity = options.get("verbosity", 1)

        def progress(report: Report, seconds: float):
            if verbosity > 1:
                self.stdout.write(f"  {report.cases} 件，{report.cases / seconds:,.0f} 件/秒")

        report = generate(
            count,
            seed=seed,
            pool=pool,
            top_share=top_share,
            open_share=open_share,
            chunk=chunk,
            progress=progress,
        )
        rows = report.cases + report.steps + report.suspensions
        biggest = max(report.open_tasks.values(), default=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"生成办件 {report.cases} 件、办理环节 {report.steps} 条、时限暂停 "
                f"{report.suspensions} 条，用时 {report.seconds:.1f} 秒"
                f"（{report.cases / report.seconds:,.0f} 件/秒，"
                f"{rows / report.seconds:,.0f} 行/秒）；"
                f"待办最多的部门有 {biggest} 个待办环节。"
            )
        )
