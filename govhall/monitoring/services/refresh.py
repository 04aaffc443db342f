"""Folding process records into case facts and monthly roll-ups, incrementally.

Monitoring never reads a case table: it reads process records, the hall's own and
those pushed by branch halls alike (docs/architecture.md). ``refresh`` takes the records
added since the watermark, recomputes the facts of the cases they touch from all of
those cases' records (one grouped query per chunk), and moves each changed case's
contribution from its old roll-up row to its new one. Dashboards then read
``MonthlyRollup`` — a few rows per region, department, item type and month — instead
of millions of records.

A case counts in the month it concluded (业务量 = applied, accepted and concluded,
潮府办函〔2017〕135号 名词解释 1); withdrawn and rejected cases end without counting.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, DateField, Max, Min, Q
from django.db.models.fields.json import KT
from django.db.models.functions import TruncMonth
from django.utils import timezone

from govhall.catalog.models import Item
from govhall.records.models import ProcessRecord
from govhall.records.services import bounds
from govhall.regions.models import Level, Region

from ..models import CaseFact, MonthlyRollup, RefreshState

WATERMARK = "case_facts"
CHUNK = 20_000  # records per transaction
IN_CHUNK = 2_000  # keys per IN (...) query: well inside SQLite's variable limit
ONLINE_CHANNELS = frozenset({"online", "mobile"})
COUNTERS = (
    "volume",
    "online_applied",
    "mobile_applied",
    "fully_online",
    "visits_0",
    "visits_1",
    "visits_2",
    "visits_3p",
    "online_visits_0",
    "online_visits_1",
)
FACT_FIELDS = (
    "item_name",
    "source",
    "region_code",
    "level",
    "department_code",
    "item_type",
    "case_type",
    "channel",
    "applied_at",
    "accepted_at",
    "concluded_at",
    "closed_event",
    "visits",
    "steps",
    "month",
)

RollupKey = tuple[datetime.date, str, str, str]

# A case's fact from all of its records (the incremental fold and the rebuild alike).
FACT_AGGREGATES = {
    "applied_at": Min("occurred_at", filter=Q(message_type="0")),
    "first_at": Min("occurred_at"),
    "accepted_at": Min("occurred_at", filter=Q(event="accept")),
    "concluded_at": Max("occurred_at", filter=Q(event="conclude")),
    "closed_event": Max("event", filter=Q(event__in=("withdraw", "reject"))),
    "visits": Max("visits"),
    "applied_channel": Max("channel", filter=Q(message_type="0")),
    "any_channel": Max("channel"),
    "region_code": Max("region_code"),
    "department_code": Max("department_code"),
    "case_type": Max("case_type"),
    "source": Min("source"),
    # The name the records carry: items of other halls and systems are not in this
    # catalogue, and a fact without a name shows only its code.
    "record_item_name": Max(KT("payload__item_name")),
    "steps": Count("pk", filter=Q(message_type="3")),
}


def refresh(*, max_records: int | None = None) -> int:
    """Fold every record added since the last refresh; return how many were folded.

    Safe to call from several processes: each chunk locks the watermark row, so a
    second caller waits and then starts after the first one's records."""
    folded = 0
    while max_records is None or folded < max_records:
        done = _refresh_chunk()
        if not done:
            break
        folded += done
    return folded


def rebuild() -> int:
    """Start over from the first record (after a change of the counting rules, a
    correction or a restore); returns how many records were folded.

    Set-based: one ``INSERT … SELECT`` writes every case's fact from the records grouped
    by case (the same aggregates as the incremental fold, ``FACT_AGGREGATES``), and one
    more the roll-ups from the facts (the counters of ``contribution``) — about the
    database's own speed over the records, instead of a round trip per 20,000. Records
    that arrive meanwhile are left to ``refresh`` after the watermark. The result is the
    incremental fold's (tested on generated records)."""
    with transaction.atomic():
        RefreshState.objects.get_or_create(name=WATERMARK)
        state = RefreshState.objects.select_for_update().get(name=WATERMARK)
        last = ProcessRecord.objects.aggregate(last=Max("pk"))["last"] or 0
        CaseFact.objects.all().delete()
        MonthlyRollup.objects.all().delete()
        folded = ProcessRecord.objects.filter(pk__lte=last).count() if last else 0
        if last:
            with connection.cursor() as cursor:
                cursor.execute(*_facts_insert(last))
                cursor.execute(*_rollups_insert())
        state.last_record_pk = last
        state.refreshed_at = timezone.now()
        state.save(update_fields=["last_record_pk", "refreshed_at"])
    return folded + refresh()


def rebuild_incrementally() -> int:
    """The rebuild as it was: every record through the incremental fold, a chunk at a
    time (kept as the reference the set-based rebuild is compared with)."""
    with transaction.atomic():
        RefreshState.objects.filter(name=WATERMARK).delete()
        CaseFact.objects.all().delete()
        MonthlyRollup.objects.all().delete()
    return refresh()


def _facts_insert(last: int) -> tuple[str, list]:
    grouped = (
        ProcessRecord.objects.filter(bounds.within_case_bound(), pk__lte=last)
        .values("case_number", "implementation_code")
        .annotate(**FACT_AGGREGATES)
        .annotate(month=TruncMonth("concluded_at", output_field=DateField()))
        .order_by()
    )
    grouped_sql, params = grouped.query.sql_with_params()
    # The grouped columns are named by their field and annotation names.
    g = {name: f'g."{name}"' for name in ("case_number", "implementation_code", *FACT_AGGREGATES)}
    g["month"] = 'g."month"'
    fact, item, region = CaseFact._meta.db_table, Item._meta.db_table, Region._meta.db_table
    values = {
        "case_number": g["case_number"],
        "implementation_code": g["implementation_code"],
        "item_name": f"COALESCE(NULLIF(i.name, ''), SUBSTR({g['record_item_name']}, 1, 200), '')",
        "source": f"COALESCE(NULLIF({g['source']}, ''), 'local')",
        "region_code": g["region_code"],
        "level": f"COALESCE(r.level, {_level_from_code_sql(g['region_code'])})",
        "department_code": g["department_code"],
        "item_type": "COALESCE(NULLIF(i.item_type, ''), "
        f"{_type_from_code_sql(g['implementation_code'])})",
        "case_type": f"COALESCE({g['case_type']}, '')",
        "channel": f"COALESCE(NULLIF({g['applied_channel']}, ''), "
        f"NULLIF({g['any_channel']}, ''), '')",
        "applied_at": f"COALESCE({g['applied_at']}, {g['first_at']})",
        "accepted_at": g["accepted_at"],
        "concluded_at": g["concluded_at"],
        "closed_event": f"CASE WHEN {g['concluded_at']} IS NOT NULL THEN 'conclude' "
        f"ELSE COALESCE({g['closed_event']}, '') END",
        "visits": f"COALESCE({g['visits']}, 0)",
        "steps": g["steps"],
        "month": g["month"],
        "updated_at": "%s",
    }
    targets = ", ".join(CaseFact._meta.get_field(name).column for name in values)
    sql = (
        f"INSERT INTO {fact} ({targets}) SELECT {', '.join(values.values())} "
        f"FROM ({grouped_sql}) AS g "
        f"LEFT JOIN {item} i ON i.implementation_code = {g['implementation_code']} "
        f"LEFT JOIN {region} r ON r.code = {g['region_code']}"
    )
    return sql, [timezone.now(), *params]  # updated_at comes first in the text


def _level_from_code_sql(code: str) -> str:
    """``level_from_code`` in SQL."""
    return (
        f"CASE WHEN LENGTH({code}) > 9 THEN '{Level.VILLAGE}' "
        f"WHEN LENGTH({code}) > 6 THEN '{Level.TOWN}' "
        f"WHEN {code} LIKE '%%0000' THEN '{Level.PROVINCE}' "
        f"WHEN {code} LIKE '%%00' THEN '{Level.CITY}' ELSE '{Level.COUNTY}' END"
    )


def _type_from_code_sql(code: str) -> str:
    """``_type_from_code`` in SQL: characters 19–20 when both are capital letters."""
    prefix = f"SUBSTR({code}, 19, 2)"
    if connection.vendor == "postgresql":
        test = f"{prefix} ~ '^[A-Z]{{2}}$'"
    else:
        test = f"{prefix} GLOB '[A-Z][A-Z]'"
    return f"CASE WHEN {test} THEN {prefix} ELSE '' END"


def _rollups_insert() -> tuple[str, list]:
    """The roll-ups from the facts: ``contribution`` summed per month, region, department
    and item type."""
    online = "channel IN ({})".format(", ".join(f"'{c}'" for c in sorted(ONLINE_CHANNELS)))
    counters = {
        "volume": "1 = 1",
        "online_applied": online,
        "mobile_applied": "channel = 'mobile'",
        "fully_online": f"{online} AND visits <= 1",
        "visits_0": "visits = 0",
        "visits_1": "visits = 1",
        "visits_2": "visits = 2",
        "visits_3p": "visits >= 3",
        "online_visits_0": f"{online} AND visits = 0",
        "online_visits_1": f"{online} AND visits = 1",
    }
    assert tuple(counters) == COUNTERS
    keys = "month, region_code, department_code, item_type"
    sums = ", ".join(f"SUM(CASE WHEN {rule} THEN 1 ELSE 0 END)" for rule in counters.values())
    sql = (
        f"INSERT INTO {MonthlyRollup._meta.db_table} ({keys}, level, {', '.join(COUNTERS)}) "
        f"SELECT {keys}, MAX(level), {sums} FROM {CaseFact._meta.db_table} "
        f"WHERE month IS NOT NULL GROUP BY {keys}"
    )
    return sql, []


def lag() -> int:
    """Records not yet folded in (shown on the dashboards as data freshness)."""
    state = RefreshState.objects.filter(name=WATERMARK).first()
    return ProcessRecord.objects.filter(pk__gt=state.last_record_pk if state else 0).count()


def last_refreshed() -> datetime.datetime | None:
    state = RefreshState.objects.filter(name=WATERMARK).first()
    return state.refreshed_at if state else None


@transaction.atomic
def _refresh_chunk() -> int:
    # (No JIT here: PostgreSQL connections are opened with jit=off, see settings.)
    RefreshState.objects.get_or_create(name=WATERMARK)
    state = RefreshState.objects.select_for_update().get(name=WATERMARK)
    rows = list(
        ProcessRecord.objects.filter(pk__gt=state.last_record_pk)
        .order_by("pk")
        .values_list("pk", "case_number", "implementation_code")[:CHUNK]
    )
    if not rows:
        return 0
    keys = {(number, code) for _, number, code in rows}
    _fold(keys)
    state.last_record_pk = rows[-1][0]
    state.refreshed_at = timezone.now()
    state.save(update_fields=["last_record_pk", "refreshed_at"])
    return len(rows)


def _fold(keys: set[tuple[str, str]]) -> None:
    new = _facts_of(keys)
    old = _stored_facts(keys)
    deltas: dict[RollupKey, Counter] = defaultdict(Counter)
    levels: dict[RollupKey, str] = {}
    for fact in old.values():
        _contribute(deltas, levels, fact, -1)
    for fact in new.values():
        _contribute(deltas, levels, fact, +1)

    to_create, to_update = [], []
    for key, fact in new.items():
        stored = old.get(key)
        if stored is None:
            to_create.append(fact)
        elif any(getattr(stored, f) != getattr(fact, f) for f in FACT_FIELDS):
            for f in FACT_FIELDS:
                setattr(stored, f, getattr(fact, f))
            to_update.append(stored)
    CaseFact.objects.bulk_create(to_create, batch_size=1000)
    CaseFact.objects.bulk_update(to_update, FACT_FIELDS, batch_size=1000)
    _apply(deltas, levels)


def _chunks(values: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _stored_facts(keys: set[tuple[str, str]]) -> dict[tuple[str, str], CaseFact]:
    found: dict[tuple[str, str], CaseFact] = {}
    numbers = sorted({number for number, _ in keys})
    for part in _chunks(numbers):
        for fact in CaseFact.objects.filter(case_number__in=part):
            key = (fact.case_number, fact.implementation_code)
            if key in keys:
                found[key] = fact
    return found


def _facts_of(keys: set[tuple[str, str]]) -> dict[tuple[str, str], CaseFact]:
    """Recompute each case's fact from all of its records, in grouped queries (each
    case's records from its ``bounds.earliest`` on: a partitioned table reads only the
    months they can lie in)."""
    numbers = sorted({number for number, _ in keys})
    grouped = []
    with bounds.by_index():
        for part in _chunks(numbers):
            grouped.extend(
                ProcessRecord.objects.filter(bounds.case_filter(part))
                .values("case_number", "implementation_code")
                .annotate(**FACT_AGGREGATES)
                .order_by()
            )
    codes = {row["implementation_code"] for row in grouped}
    items = _items_of(codes)
    levels = _levels_of({row["region_code"] for row in grouped})
    facts = {}
    for row in grouped:
        key = (row["case_number"], row["implementation_code"])
        if key not in keys:
            continue
        item_type, item_name = items.get(row["implementation_code"], ("", ""))
        item_name = item_name or (row["record_item_name"] or "")[:200]
        concluded_at = row["concluded_at"]
        facts[key] = CaseFact(
            case_number=row["case_number"],
            implementation_code=row["implementation_code"],
            item_name=item_name,
            source=row["source"] or "local",
            region_code=row["region_code"],
            level=levels.get(row["region_code"], ""),
            department_code=row["department_code"],
            item_type=item_type or _type_from_code(row["implementation_code"]),
            case_type=row["case_type"] or "",
            channel=row["applied_channel"] or row["any_channel"] or "",
            applied_at=row["applied_at"] or row["first_at"],
            accepted_at=row["accepted_at"],
            concluded_at=concluded_at,
            closed_event="conclude" if concluded_at else (row["closed_event"] or ""),
            visits=row["visits"] or 0,
            steps=row["steps"],
            month=month_of(concluded_at) if concluded_at else None,
        )
    return facts


def month_of(moment: datetime.datetime) -> datetime.date:
    local = timezone.localtime(moment)
    return datetime.date(local.year, local.month, 1)


def _items_of(codes: set[str]) -> dict[str, tuple[str, str]]:
    found = {}
    for part in _chunks(sorted(codes)):
        for code, item_type, name in Item.objects.filter(implementation_code__in=part).values_list(
            "implementation_code", "item_type", "name"
        ):
            found[code] = (item_type, name)
    return found


def _type_from_code(code: str) -> str:
    """An implementation code is the department's credit code followed by the basic
    code, whose first two letters are the item type (DB44/T 1148-2013)."""
    prefix = code[18:20]
    return prefix if prefix.isalpha() and prefix.isupper() else ""


def _levels_of(region_codes: set[str]) -> dict[str, str]:
    levels = dict(Region.objects.filter(code__in=region_codes).values_list("code", "level"))
    for code in region_codes - levels.keys():
        levels[code] = level_from_code(code)
    return levels


def level_from_code(code: str) -> str:
    """The level a division code names when the region is not (yet) in our table."""
    if len(code) > 9:
        return Level.VILLAGE
    if len(code) > 6:
        return Level.TOWN
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.CITY
    return Level.COUNTY


def contribution(fact: CaseFact) -> Counter:
    """The roll-up counters one case adds to its month (empty until it concludes)."""
    if fact.month is None:
        return Counter()
    online = fact.channel in ONLINE_CHANNELS
    visits = fact.visits
    counts = Counter(volume=1)
    bucket = "visits_3p" if visits >= 3 else f"visits_{visits}"
    counts[bucket] = 1
    if online:
        counts["online_applied"] = 1
        if visits <= 1:
            counts["fully_online"] = 1
            counts[f"online_visits_{visits}"] = 1
    if fact.channel == "mobile":
        counts["mobile_applied"] = 1
    return counts


def _contribute(
    deltas: dict[RollupKey, Counter], levels: dict[RollupKey, str], fact: CaseFact, sign: int
) -> None:
    counts = contribution(fact)
    if not counts:
        return
    key = (fact.month, fact.region_code, fact.department_code, fact.item_type)
    levels[key] = fact.level
    bucket = deltas[key]
    for name, value in counts.items():
        bucket[name] += sign * value


def _apply(deltas: dict[RollupKey, Counter], levels: dict[RollupKey, str]) -> None:
    changed = {
        key: counts for key, counts in deltas.items() if any(counts[name] for name in COUNTERS)
    }
    if not changed:
        return
    existing: dict[RollupKey, MonthlyRollup] = {}
    months = {key[0] for key in changed}
    regions = sorted({key[1] for key in changed})
    for part in _chunks(regions):
        for row in MonthlyRollup.objects.filter(month__in=months, region_code__in=part):
            existing[(row.month, row.region_code, row.department_code, row.item_type)] = row
    to_create, to_update = [], []
    for key, counts in changed.items():
        row = existing.get(key)
        if row is None:
            month, region_code, department_code, item_type = key
            row = MonthlyRollup(
                month=month,
                region_code=region_code,
                department_code=department_code,
                item_type=item_type,
                level=levels[key],
            )
            to_create.append(row)
        else:
            to_update.append(row)
        for name in COUNTERS:
            setattr(row, name, getattr(row, name) + counts[name])
    MonthlyRollup.objects.bulk_create(to_create, batch_size=1000)
    MonthlyRollup.objects.bulk_update(to_update, COUNTERS, batch_size=1000)
