"""Data-quality checks on pushed process records, fed back to the sender (§8).

``check(rows, now=...)`` runs inside ``ingest`` on the records just accepted, with a fixed
number of queries per batch (the catalogue codes, the earlier records of the batch's
cases). The rules (``QualityCheck``):

- ``unknown_item``: the implementation code is not in the item catalogue;
- ``future_time``: the event is dated more than 5 minutes after it was received;
- ``late_push``: received more than 12 hours after it happened (潮府办函〔2017〕135号, task 10:
  "最晚不超过12小时");
- ``out_of_order``: the record is dated before a record it logically follows (acceptance
  before the application, a conclusion before the acceptance …), among the case's
  records already stored and those of the batch;
- ``no_acceptance``: a conclusion without any acceptance record of the case (a case
  decided automatically, 秒批, has none and is not flagged);
- ``missing_steps``: a promised case (承诺件, case type 2) concluded without any approval
  record (message type 3);
- ``conflicting_duplicate``: a record id sent again with other content (``ingest``).

Each finding becomes one ``QualityIssue`` (once per record and rule). ``QualityDay``
counts, per client and day, what arrived and how much of it was clean; its ``score`` is
the day's quality score (0–100).
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import F, JSONField, Min, QuerySet
from django.utils import timezone

from govhall.catalog.models import CaseType, Item
from govhall.records import events
from govhall.records.models import MessageType, ProcessRecord
from govhall.records.services import bounds

from ..models import ExchangeClient, QualityCheck, QualityDay, QualityIssue, RejectedRecord
from .spec import EVENT_LABELS

LATE_AFTER = datetime.timedelta(hours=12)
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
SCORE_DAYS = 30

# event → the events it logically follows (govhall.records.events). A record dated before
# the earliest record of one of these events in the same case is out of order. (Only
# events that exist in the case count: a case without acceptance record is
# ``no_acceptance``'s business.)
FOLLOWS: dict[str, tuple[str, ...]] = {e.code: e.follows for e in events.EVENTS if e.follows}


@dataclass(frozen=True)
class Finding:
    record_id: object  # uuid.UUID
    rule: str
    message: str
    case_number: str
    implementation_code: str
    occurred_at: datetime.datetime | None


class Fact(NamedTuple):
    """What the checks need of one record."""

    record_id: object
    case_number: str
    implementation_code: str
    message_type: str
    event: str
    occurred_at: datetime.datetime
    case_type: str
    is_new: bool


FACT_COLUMNS = (
    "record_id",
    "case_number",
    "implementation_code",
    "message_type",
    "event",
    "occurred_at",
    "case_type",
)


def _fact(row: ProcessRecord | dict) -> Fact:
    if isinstance(row, dict):
        return Fact(*(row[name] for name in FACT_COLUMNS), is_new=True)
    return Fact(*(getattr(row, name) for name in FACT_COLUMNS), is_new=True)


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _label(event: str) -> str:
    return f"“{EVENT_LABELS.get(event, event)}”"


def case_history(case_numbers: Iterable[str], exclude: Iterable = ()) -> list[Fact]:
    """What the checks need of the stored records of these cases, in one query: per case,
    message type and event, the earliest time (the rules only ever compare with the
    earliest record of an event), less the ``exclude`` record ids. Each case's records
    from its ``bounds.earliest`` on (a partitioned table reads only those months)."""
    numbers = set(case_numbers)
    if not numbers:
        return []
    rows = ProcessRecord.objects.filter(bounds.case_filter(numbers))
    excluded = set(exclude)
    if excluded:
        rows = rows.exclude(record_id__in=excluded)
    grouped = (
        rows.order_by()
        .values_list("case_number", "implementation_code", "message_type", "event")
        .annotate(first=Min("occurred_at"))
    )
    with bounds.by_index():
        return [
            Fact(None, number, code, message_type, event, first, "", is_new=False)
            for number, code, message_type, event, first in grouped
        ]


def check(
    rows: Sequence[ProcessRecord | dict],
    *,
    now: datetime.datetime | None = None,
    history: Sequence[Fact] | None = None,
) -> list[Finding]:
    """Findings on ``rows`` (records just accepted: ``ProcessRecord`` rows or dicts of
    their columns), against ``history`` (the stored records of their cases; read here
    when not given)."""
    if not rows:
        return []
    now = now or timezone.now()
    found: dict[tuple, Finding] = {}

    def add(fact: Fact, rule: str, message: str) -> None:
        key = (fact.record_id, rule)
        if key not in found:
            found[key] = Finding(
                fact.record_id,
                rule,
                message,
                fact.case_number,
                fact.implementation_code,
                fact.occurred_at,
            )

    facts = [_fact(row) for row in rows]
    if history is None:
        history = case_history({f.case_number for f in facts}, {f.record_id for f in facts})
    codes = {f.implementation_code for f in facts}
    known = set(
        Item.objects.filter(implementation_code__in=codes).values_list(
            "implementation_code", flat=True
        )
    )
    for fact in facts:
        if fact.implementation_code not in known:
            add(
                fact,
                QualityCheck.UNKNOWN_ITEM,
                f"实施编码{fact.implementation_code}不在事项目录中，请核对事项实施编码。",
            )
        if fact.occurred_at > now + FUTURE_TOLERANCE:
            add(
                fact,
                QualityCheck.FUTURE_TIME,
                f"发生时间{_when(fact.occurred_at)}晚于接收时间{_when(now)}，请核对系统时钟。",
            )
        elif now - fact.occurred_at > LATE_AFTER:
            hours = (now - fact.occurred_at) / datetime.timedelta(hours=1)
            add(
                fact,
                QualityCheck.LATE_PUSH,
                f"发生于{_when(fact.occurred_at)}，{hours:.1f}小时后才报送（应在12小时内报送）。",
            )

    cases: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for fact in history:
        cases[(fact.case_number, fact.implementation_code)].append(fact)
    for fact in facts:
        cases[(fact.case_number, fact.implementation_code)].append(fact)
    for case_facts in cases.values():
        if any(f.is_new for f in case_facts):
            _check_case(case_facts, add)
    return list(found.values())


def _check_case(facts: list[Fact], add) -> None:
    earliest: dict[str, Fact] = {}
    by_event: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_event[fact.event].append(fact)
        first = earliest.get(fact.event)
        if first is None or fact.occurred_at < first.occurred_at:
            earliest[fact.event] = fact
    for fact in facts:
        for before in FOLLOWS.get(fact.event, ()):
            first = earliest.get(before)
            if first is None or not first.occurred_at > fact.occurred_at:
                continue
            if fact.is_new:
                add(
                    fact,
                    QualityCheck.OUT_OF_ORDER,
                    f"{_label(fact.event)}的发生时间{_when(fact.occurred_at)}早于其前序"
                    f"{_label(before)}的发生时间{_when(first.occurred_at)}。",
                )
                continue
            for other in by_event[before]:
                if other.is_new and other.occurred_at > fact.occurred_at:
                    add(
                        other,
                        QualityCheck.OUT_OF_ORDER,
                        f"{_label(other.event)}的发生时间{_when(other.occurred_at)}晚于其后续"
                        f"{_label(fact.event)}的发生时间{_when(fact.occurred_at)}。",
                    )
    types = {f.message_type for f in facts}
    for fact in by_event.get("conclude", ()):
        if not fact.is_new:
            continue
        if "accept" not in by_event and "auto_decide" not in by_event:
            add(
                fact,
                QualityCheck.NO_ACCEPTANCE,
                f"办件{fact.case_number}已办结，但没有受理信息（信息类型2），请补报受理信息。",
            )
        if fact.case_type == CaseType.PROMISED and MessageType.APPROVAL_STEP not in types:
            add(
                fact,
                QualityCheck.MISSING_STEPS,
                f"承诺件{fact.case_number}已办结，但没有任何审批环节信息（信息类型3）。",
            )


# --- storing findings and counting the day ---------------------------------------------


def fast_insert(model, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of field attnames → values, all with the same keys) at once:
    ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere. A unique violation raises
    ``IntegrityError`` and inserts nothing, as one INSERT would. Columns the model fills
    on save (``auto_now_add``) are filled here.

    Django 5.2's ``bulk_create`` on PostgreSQL sends each column as an array literal,
    and quoting JSON text into arrays costs more than the whole COPY; this is the
    exchange's hot path (a batch of 1,000 records), so it streams rows instead.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    opts = model._meta
    fields = [opts.get_field(name) for name in rows[0]]
    stamped = [
        f
        for f in opts.concrete_fields
        if (getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False))
        and f.attname not in rows[0]
    ]
    json_columns = {f.attname for f in fields if isinstance(f, JSONField)}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*fields, *stamped])
    stamp = [timezone.now()] * len(stamped)
    names = [f.attname for f in fields]
    sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            values = [
                json.dumps(row[n], ensure_ascii=False) if n in json_columns else row[n]
                for n in names
            ]
            copy.write_row([*values, *stamp])


def store(
    client: ExchangeClient,
    findings: Sequence[Finding],
    *,
    day: datetime.date,
    fresh: bool = False,
) -> int:
    """One ``QualityIssue`` per finding; a record's rule already reported is skipped.

    ``fresh``: the findings are about records this very call stored, so none can have
    been reported before and they go in with ``fast_insert``.
    """
    if not findings:
        return 0
    rows = [
        {
            "client_id": client.pk,
            "rule": f.rule,
            "record_id": f.record_id,
            "case_number": f.case_number,
            "implementation_code": f.implementation_code,
            "message": f.message[:500],
            "occurred_at": f.occurred_at,
            "day": day,
        }
        for f in findings
    ]
    if fresh:
        fast_insert(QualityIssue, rows)
    else:
        QualityIssue.objects.bulk_create(
            [QualityIssue(**row) for row in rows], ignore_conflicts=True
        )
    return len(rows)


COUNTERS = ("received", "accepted", "duplicates", "rejected", "late", "with_issues")


def count_day(client: ExchangeClient, day: datetime.date, **counts: int) -> None:
    """Add to the client's counters of ``day`` (created on first use)."""
    unknown = set(counts) - set(COUNTERS)
    if unknown:
        raise TypeError(f"unknown counters: {sorted(unknown)}")
    QualityDay.objects.get_or_create(client=client, day=day)
    changes = {name: F(name) + value for name, value in counts.items() if value}
    if changes:
        QualityDay.objects.filter(client=client, day=day).update(**changes)


# --- reading, for the pages and the API -------------------------------------------------


def recent_days(
    client: ExchangeClient, *, until: datetime.date | None = None, days: int = SCORE_DAYS
) -> list[QualityDay]:
    """The client's days with records among the last ``days`` days, newest first."""
    until = until or timezone.localdate()
    since = until - datetime.timedelta(days=days - 1)
    return list(client.days.filter(day__gte=since, day__lte=until).order_by("-day"))


def issues_of(
    client: ExchangeClient, *, day: datetime.date | None = None, rule: str = ""
) -> QuerySet[QualityIssue]:
    rows = QualityIssue.objects.filter(client=client)
    if day is not None:
        rows = rows.filter(day=day)
    if rule:
        rows = rows.filter(rule=rule)
    return rows.order_by("-detected_at", "-pk")


def day_of(client: ExchangeClient, day: datetime.date | None = None) -> QualityDay | None:
    return client.days.filter(day=day or timezone.localdate()).first()


def store_rejected(client: ExchangeClient, refused: list, records: list, *, day) -> None:
    """Keep each refused record's place in its batch, its id and case number as sent, and
    the reasons by field path (``ingest.RecordResult``), for the sender to correct."""
    if not refused:
        return

    def sent(index: int, key: str, limit: int) -> str:
        record = records[index]
        value = record.get(key) if isinstance(record, dict) else None
        return value[:limit] if isinstance(value, str) else ""

    RejectedRecord.objects.bulk_create(
        RejectedRecord(
            client=client,
            day=day,
            index=result.index,
            record_id=result.record_id or sent(result.index, "record_id", 64),
            case_number=sent(result.index, "case_number", 40),
            # A list, not a dict: PostgreSQL's jsonb reorders object keys, and the
            # order is the order the checks found them.
            errors=[
                {"field": path, "message": str(message)}
                for path, messages in result.errors.items()
                for message in messages
            ],
        )
        for result in refused
    )


def rejected_of(client: ExchangeClient, *, day: datetime.date | None = None) -> QuerySet:
    rows = RejectedRecord.objects.filter(client=client)
    if day is not None:
        rows = rows.filter(day=day)
    return rows.order_by("-received_at", "-pk")
