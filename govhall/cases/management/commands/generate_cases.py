"""Generate many cases with their tasks for benchmarks (``manage.py generate_cases``).

Bulk writes, no services: on PostgreSQL the rows stream in with ``COPY`` (psycopg's
``cursor.copy``), elsewhere with ``bulk_create`` in chunks, so a million cases take
minutes. The data looks like two years of a province's intake:

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
import json
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from govhall.accounts.models import Company, Person, RealNameLevel, User
from govhall.catalog.models import Item, Step
from govhall.core.identifiers import make_credit_code, make_id_number
from govhall.core.services import audit, calendar
from govhall.regions.models import Department, Post

from ...models import (
    ACCEPTANCE_STEP,
    Application,
    Case,
    CaseNumberCounter,
    CaseState,
    CaseStep,
    StepState,
    Suspension,
)
from ...services.clocks import ACCEPTANCE_LIMIT_DAYS
from ...services.numbers import SEQUENCE_DIGITS

S = CaseState
TZ = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai, no DST since 1991
HISTORY_DAYS = 730
OPEN_WINDOW_DAYS = 240
OPEN_MIX = [(S.SUBMITTED, 35), (S.AWAITING_CORRECTION, 10), (S.IN_PROGRESS, 45)]
OPEN_MIX += [(S.SUSPENDED, 5), (S.DECIDED, 5)]
FINAL_MIX = [(S.CONCLUDED, 88), (S.REJECTED, 6), (S.WITHDRAWN, 6)]
CHANNELS = [("online", 70), ("mobile", 15), ("counter", 15)]
STEP_CODES = {Post.CLERK: "1", Post.REVIEWER: "2", Post.APPROVER: "3"}
POOL_PREFIX = "casegen"
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭许曾蔡邓冯周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文辉"
TRADES = ["贸易", "科技", "餐饮", "建筑", "物流", "电子", "食品", "陶瓷", "五金", "服饰"]
COUNTIES = ["440703", "440704", "440705", "440781", "445102", "445103", "440103", "440305"]


# --- what to generate ----------------------------------------------------------------


@dataclass
class ItemPlan:
    item_id: int
    version_id: int
    name: str
    implementation_code: str
    region_id: str
    case_type: str
    statutory: int | None
    promised: int
    result_name: str
    steps: list[tuple[str, str, int, str, int]]  # name, post, department id, region, days


@dataclass
class DepartmentPlan:
    department: Department
    items: list[ItemPlan]
    share: float = 0.0
    open_probability: float = 0.0


@dataclass
class Applicant:
    kind: str
    name: str
    key: str
    person_id: int
    company_id: int | None
    user_id: int
    application_id: int
    phone: str


@dataclass
class Report:
    cases: int = 0
    steps: int = 0
    suspensions: int = 0
    open_tasks: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    seconds: float = 0.0


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
        version = item.current
        rows = sorted(steps[version.pk], key=lambda s: (s.sort_order, s.pk))
        plan = by_department.setdefault(item.department_id, DepartmentPlan(item.department, []))
        plan.items.append(
            ItemPlan(
                item.pk,
                version.pk,
                version.name[:200],
                item.implementation_code,
                item.region_id,
                version.case_type or "2",
                version.statutory_limit_days,
                version.promised_limit_days,
                version.result_name or f"{version.name}结果",
                [
                    (
                        s.name,
                        s.post,
                        s.department_id or item.department_id,
                        (s.department.region_id if s.department_id else item.region_id),
                        s.time_limit_days,
                    )
                    for s in rows
                ],
            )
        )
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


def working_day_table(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    days, day = [], first
    while day <= last:
        if calendar.is_working_day(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


class Clock:
    """Working-day arithmetic over a precomputed table (calendar.add_working_days, fast)."""

    def __init__(self, first: datetime.date, last: datetime.date):
        self.days = working_day_table(first, last)

    def add(self, start: datetime.date, working_days: int) -> datetime.date:
        index = bisect.bisect_right(self.days, start) + working_days - 1
        if working_days == 0:
            index = bisect.bisect_left(self.days, start)
        return self.days[min(index, len(self.days) - 1)]


# --- the applicant pool ---------------------------------------------------------------


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(SURNAMES) + given


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
    for person_id, user_id, name, index_key in pool:
        own = applications[(person_id, None)]
        result.append(
            Applicant(
                "person", name, index_key, person_id, None, user_id, own.pk, own.contact_phone
            )
        )
        if person_id in companies:
            company_id, company_name, credit_code = companies[person_id]
            app = applications[(person_id, company_id)]
            result.append(
                Applicant(
                    "company",
                    company_name,
                    credit_code,
                    person_id,
                    company_id,
                    user_id,
                    app.pk,
                    app.contact_phone,
                )
            )
    return result


def _company_pool(owners, rng: random.Random, now) -> dict[int, tuple[int, str, str]]:
    """One company per owner (every tenth pool person is a legal representative)."""
    have = {
        c.legal_representative_id: c
        for c in Company.objects.filter(legal_representative_id__in=[o[0] for o in owners])
    }
    new = []
    for number, (person_id, user_id, _name_, _) in enumerate(owners):
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


def _pick(rng: random.Random, weighted):
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return lambda: rng.choices(values, weights)[0]


def daily_counts(total: int, days: list[datetime.date]) -> list[int]:
    """Spread ``total`` over ``days``: working days busy, rest days a third as busy."""
    weights = [1.0 if calendar.is_working_day(d) else 0.3 for d in days]
    scale, counts, carried, running = total / sum(weights), [], 0, 0.0
    for weight in weights:
        running += weight * scale
        counts.append(round(running) - carried)
        carried += counts[-1]
    return counts


class Generator:
    """Produces case, step and suspension rows (tuples in ``*_COLUMNS`` order), day by day."""

    CASE_COLUMNS = (
        "id number application_id item_id item_version_id item_name implementation_code "
        "department_id region_id case_type channel state applicant_kind applicant_name "
        "applicant_key person_id company_id user_id contact_name contact_phone submitted_at "
        "accepted_at acceptance_due statutory_limit_days promised_limit_days statutory_due "
        "promised_due document_number decision decided_at rejection_reason concluded_at "
        "conclusion_code result_name result_number delivery withdrawal_reason visits "
        "updated_at"
    ).split()
    STEP_COLUMNS = (
        "id case_id sequence code name post department_id region_code state "
        "time_limit_days started_at due_date completed_at action opinion case_number "
        "case_state item_name applicant_name"
    ).split()
    SUSPENSION_COLUMNS = "id case_id kind reason started_on".split()

    def __init__(self, plans, applicants, counters, clock, today, seed, first_ids):
        self.rng = random.Random(seed)
        self.plans, self.applicants, self.counters = plans, applicants, counters
        self.clock, self.today = clock, today
        self.case_id, self.step_id, self.suspension_id = first_ids
        self.now = timezone.now()
        weights = [p.share for p in plans]
        open_weights = [p.share * p.open_probability for p in plans]
        final_weights = [p.share * (1 - p.open_probability) for p in plans]
        self.open_share = sum(open_weights) / sum(weights)
        rng = self.rng
        self.pick_open_department = lambda: rng.choices(plans, open_weights)[0]
        self.pick_final_department = lambda: rng.choices(plans, final_weights)[0]
        self.open_state, self.final_state = _pick(rng, OPEN_MIX), _pick(rng, FINAL_MIX)
        self.channel = _pick(rng, CHANNELS)
        self.report = Report()

    def days(self, count: int):
        """Yield (day, [(case, steps, suspension)]) from two years ago up to yesterday."""
        opened = round(count * self.open_share)
        history = [self.today - datetime.timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
        finals = daily_counts(count - opened, history)
        opens = daily_counts(opened, history[-OPEN_WINDOW_DAYS:])
        opens = [0] * (len(history) - len(opens)) + opens
        for day, n_final, n_open in zip(history, finals, opens, strict=True):
            kinds = [False] * n_final + [True] * n_open
            self.rng.shuffle(kinds)
            yield day, [self.case(day, is_open) for is_open in kinds]

    def _number(self, department: Department, day: datetime.date) -> str:
        key = (department.pk, day)
        sequence = self.counters.get(key, 0) + 1
        if sequence >= 10**SEQUENCE_DIGITS:
            raise CommandError(f"{department.name}在{day}的办件超过了编号容量。")
        self.counters[key] = sequence
        org_code = department.credit_code[8:17]
        return f"{department.region_id[:6]}{org_code}{day:%Y%m%d}{sequence:0{SEQUENCE_DIGITS}d}"

    def _at(self, day: datetime.date, start_hour=8, end_hour=20) -> datetime.datetime:
        seconds = self.rng.randrange(start_hour * 3600, end_hour * 3600)
        return datetime.datetime.combine(day, datetime.time(), TZ) + datetime.timedelta(
            seconds=seconds
        )

    def _later(self, moment: datetime.datetime, working_days: int) -> datetime.datetime:
        """A moment ``working_days`` after ``moment`` (not after yesterday evening)."""
        day = self.clock.add(moment.date(), working_days) if working_days else moment.date()
        day = min(day, self.today - datetime.timedelta(days=1))
        return max(moment, self._at(day))

    def case(self, day: datetime.date, is_open: bool):
        rng = self.rng
        plan = self.pick_open_department() if is_open else self.pick_final_department()
        item = rng.choice(plan.items)
        state = self.open_state() if is_open else self.final_state()
        if state in (S.IN_PROGRESS, S.SUSPENDED) and not item.steps:
            state = S.SUBMITTED  # an item without steps is decided at acceptance
        applicant = rng.choice(self.applicants)
        channel = self.channel()
        number = self._number(plan.department, day)
        case_id = self.case_id
        self.case_id += 1
        submitted = self._at(day)
        acceptance_due = self.clock.add(day, ACCEPTANCE_LIMIT_DAYS)
        accepted = statutory_due = promised_due = decided = concluded = None
        decision = rejection = conclusion = result_name = result_number = delivery = ""
        withdrawal = document = ""
        steps = []
        suspension = None

        def step(sequence, code, name, post, dept, region, days, started, state_, done=None):
            due = self.clock.add(started.date(), days)
            action = "" if state_ == StepState.OPEN else "pass"
            opinion = {"pass": "同意", "": ""}[action]
            if state_ == StepState.CANCELLED:
                action, opinion = "", ""
            steps.append(
                [
                    self.step_id,
                    case_id,
                    sequence,
                    code,
                    name,
                    post,
                    dept,
                    region,
                    state_,
                    days,
                    started,
                    due,
                    done,
                    action,
                    opinion,
                    number,
                    state,
                    item.name,
                    applicant.name,
                ]
            )
            self.step_id += 1
            if state_ == StepState.OPEN:
                self.report.open_tasks[dept] += 1

        department_id, region = plan.department.pk, plan.department.region_id
        accept_args = (0, "0", ACCEPTANCE_STEP, Post.CLERK, department_id, region)
        if state in (S.SUBMITTED, S.AWAITING_CORRECTION):
            step(*accept_args, ACCEPTANCE_LIMIT_DAYS, submitted, StepState.OPEN)
            if state == S.AWAITING_CORRECTION:
                suspension = [self.suspension_id, case_id, "correction", "等待申请人补正材料"]
                suspension.append(self._later(submitted, rng.randint(1, 3)).date())
                self.suspension_id += 1
        elif state == S.WITHDRAWN:
            step(*accept_args, ACCEPTANCE_LIMIT_DAYS, submitted, StepState.CANCELLED)
            concluded = self._later(submitted, rng.randint(0, 3))
            conclusion, withdrawal = "2", "申请人主动撤回"
        else:
            accepted = self._later(submitted, rng.randint(0, 2))
            step(*accept_args, ACCEPTANCE_LIMIT_DAYS, submitted, StepState.DONE, accepted)
            if state == S.REJECTED:
                steps[-1][13:15] = ["other", "申请材料不符合法定形式，不予受理"]
                accepted = None
                rejection = "申请材料不符合法定形式。"
            else:
                document = f"受字〔{accepted:%Y}〕{number[-6:]}号"
                statutory_due = (
                    self.clock.add(accepted.date(), item.statutory)
                    if item.statutory is not None
                    else None
                )
                promised_due = self.clock.add(accepted.date(), item.promised)
                last = len(item.steps) if state not in (S.IN_PROGRESS, S.SUSPENDED) else None
                if last is None:
                    last = rng.randrange(len(item.steps))
                moment = accepted
                for index, (name, post, dept, step_region, days) in enumerate(item.steps):
                    code = STEP_CODES.get(post, "1")
                    if index < last:
                        done = self._later(moment, rng.randint(0, max(1, days)))
                        step(index + 1, code, name, post, dept, step_region, days, moment, "done", done)
                        moment = done
                    elif index == last:
                        step(index + 1, code, name, post, dept, step_region, days, moment, "open")
                        break
                if state == S.SUSPENDED:
                    suspension = [self.suspension_id, case_id, "expert_review", "组织专家评审"]
                    suspension.append(self._later(moment, 1).date())
                    self.suspension_id += 1
                if state in (S.DECIDED, S.CONCLUDED):
                    decided = moment
                    decision = "approve" if rng.random() < 0.95 else "deny"
                if state == S.CONCLUDED:
                    concluded = self._later(decided, rng.randint(0, 2))
                    approved = decision == "approve"
                    conclusion = "0" if approved else "6"
                    result_name = item.result_name[:200] if approved else "不予许可决定书"
                    result_number = number if approved else f"{number}-B"
                    delivery = rng.choice(["electronic", "electronic", "post", "pickup"])
        row = (
            case_id,
            number,
            applicant.application_id,
            item.item_id,
            item.version_id,
            item.name,
            item.implementation_code,
            department_id,
            item.region_id,
            item.case_type,
            channel,
            state,
            applicant.kind,
            applicant.name,
            applicant.key,
            applicant.person_id,
            applicant.company_id,
            applicant.user_id,
            applicant.name[:50],
            applicant.phone,
            submitted,
            accepted,
            acceptance_due,
            item.statutory,
            item.promised,
            statutory_due,
            promised_due,
            document,
            decision,
            decided,
            rejection,
            concluded,
            conclusion,
            result_name,
            result_number,
            delivery,
            withdrawal,
            1 if channel == "counter" else 0,
            self.now,
        )
        self.report.cases += 1
        self.report.steps += len(steps)
        self.report.suspensions += suspension is not None
        return row, steps, suspension


# --- writing ----------------------------------------------------------------------------

ESCAPES = str.maketrans({"\\": "\\\\", "\t": " ", "\n": " ", "\r": " "})


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(ESCAPES)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


class Table:
    """One model's columns: the generated ones per row, every other one a constant default."""

    def __init__(self, model: type[models.Model], columns: list[str]):
        self.model, self.columns = model, columns
        fields = [f for f in model._meta.concrete_fields if f.attname not in columns]
        self.constants = {}
        for f in fields:
            if f.has_default():
                self.constants[f.attname] = f.get_default()
            elif f.null:
                self.constants[f.attname] = None
            else:
                self.constants[f.attname] = ""  # blank text columns
        rendered = [
            json.dumps(v) if isinstance(f, models.JSONField) else _text(v)
            for f, v in zip(fields, self.constants.values(), strict=True)
        ]
        self.suffix = "".join("\t" + v for v in rendered) + "\n"
        names = [*columns, *self.constants]
        self.copy_sql = f"COPY {model._meta.db_table} ({', '.join(names)}) FROM STDIN"

    def write(self, rows: list) -> None:
        if not rows:
            return
        if connection.vendor == "postgresql":
            suffix = self.suffix
            text = "".join("\t".join(map(_text, row)) + suffix for row in rows)
            with connection.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                copy.write(text)
        else:
            objects = [
                self.model(**dict(zip(self.columns, row, strict=True)), **self.constants)
                for row in rows
            ]
            self.model.objects.bulk_create(objects, batch_size=500)


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
    rows = [CaseNumberCounter(department_id=d, day=day, last=counters[d, day]) for d, day in touched]
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
    progress=None,
) -> Report:
    """Write ``count`` cases with their tasks; returns what was written."""
    started = time.perf_counter()
    rng = random.Random(seed)
    plans = plan_departments(top_share, open_share, top_open)
    applicants = applicant_pool(pool, [i for p in plans for i in p.items], rng)
    today = timezone.localdate()
    first = today - datetime.timedelta(days=HISTORY_DAYS + 5)
    clock = Clock(first, today + datetime.timedelta(days=400))
    departments = [p.department.pk for p in plans]
    counters = {
        (c.department_id, c.day): c.last
        for c in CaseNumberCounter.objects.filter(department_id__in=departments, day__gte=first)
    }
    generator = Generator(plans, applicants, counters, clock, today, seed, next_ids())
    tables = (
        Table(Case, Generator.CASE_COLUMNS),
        Table(CaseStep, Generator.STEP_COLUMNS),
        Table(Suspension, Generator.SUSPENSION_COLUMNS),
    )
    touched: set = set()
    batch: tuple[list, list, list] = ([], [], [])

    def flush():
        with transaction.atomic():
            for table, rows in zip(tables, batch, strict=True):
                table.write(rows)
        for rows in batch:
            rows.clear()
        if progress:
            progress(generator.report, time.perf_counter() - started)

    for day, cases in generator.days(count):
        for row, steps, suspension in cases:
            batch[0].append(row)
            batch[1].extend(steps)
            if suspension:
                batch[2].append(suspension)
            touched.add((row[7], day))
        if len(batch[0]) >= chunk:
            flush()
    flush()
    reset_sequences()
    save_counters(counters, touched)
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
                f"（{report.cases / report.seconds:,.0f} 件/秒，{rows / report.seconds:,.0f} 行/秒）；"
                f"待办最多的部门有 {biggest} 个待办环节。"
            )
        )
