"""Receiving pushed process records (办事过程数据接收): the inbound side of the exchange.

``ingest(client, records)`` checks every record on its own — the schema and record-level
rules (``spec``), then the client's reach: the region must exist and lie inside one of the
client's regions (prefix match: a city's client may push for its counties and towns), the
department must be known and, when the client lists departments, one of them. A refused
record never blocks the others, and nothing of it is written.

Records are idempotent on ``record_id``: an id already stored (from any source) or seen
earlier in the same batch is a ``duplicate``; if its content differs from what was kept,
it is still a duplicate, and a ``conflicting_duplicate`` quality issue tells the sender.

Everything the checks need is read once per batch (existing ids, regions, departments,
catalogue codes, the cases' earlier records), so a batch of 1,000 costs a fixed number of
queries; accepted rows go in with one ``bulk_create``. If a concurrent push stored some of
the same ids first, the insert falls back to one savepoint per row and reports those as
duplicates. The quality checks (``quality``) run on the accepted records in the same
transaction, the client's day counters move, one audit entry records the call, and
``signals.records_ingested`` goes out once the transaction has committed.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.core import context
from govhall.core.models import AuditEntry
from govhall.core.services import audit
from govhall.records.models import ProcessRecord
from govhall.records.services import bounds
from govhall.regions.models import PREFIX_LENGTH, Department, Level, Region

from ..models import ExchangeClient, QualityCheck
from ..signals import records_ingested
from . import quality, spec

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
REJECTED = "rejected"


@dataclass(frozen=True)
class RecordResult:
    """What became of one record of a batch (``index`` is its place in the batch)."""

    index: int
    record_id: str | None
    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "record_id": self.record_id,
            "status": self.status,
            "errors": self.errors,
        }


@dataclass
class _Candidate:
    index: int
    record_id: uuid.UUID
    payload: dict[str, Any]
    occurred_at: datetime.datetime
    row: dict[str, Any] | None = None


@dataclass(frozen=True)
class ClientReach:
    """Where a client may push: region-code prefixes and, if any, department codes."""

    prefixes: tuple[str, ...]
    department_codes: frozenset[str]

    @classmethod
    def of(cls, client: ExchangeClient) -> ClientReach:
        prefixes = tuple(
            code[: PREFIX_LENGTH[Level(level)]]
            for code, level in client.regions.values_list("code", "level")
        )
        codes = frozenset(client.departments.values_list("credit_code", flat=True))
        return cls(prefixes, codes)

    def covers_region(self, code: str) -> bool:
        return code.startswith(self.prefixes) if self.prefixes else False


def _record_id_of(record: Any) -> str | None:
    value = record.get("record_id") if isinstance(record, dict) else None
    return value if isinstance(value, str) and len(value) <= 64 else None


def _existing(model, column: str, values: Iterable[str]) -> set[str]:
    values = set(values)
    if not values:
        return set()
    return set(model.objects.filter(**{f"{column}__in": values}).values_list(column, flat=True))


def _reach_errors(
    payload: dict[str, Any], reach: ClientReach, regions: set[str], departments: set[str]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    region = payload["region_code"]
    if region not in regions:
        errors["region_code"] = [f"行政区划代码{region}不存在。"]
    elif not reach.covers_region(region):
        errors["region_code"] = [f"行政区划{region}不在本客户端登记的报送区划内。"]
    department = payload["department"]["code"]
    if department not in departments:
        errors["department.code"] = [f"统一社会信用代码为{department}的部门不在部门库中。"]
    elif reach.department_codes and department not in reach.department_codes:
        errors["department.code"] = [f"部门{department}不在本客户端登记的报送部门内。"]
    return errors


def _row(client: ExchangeClient, candidate: _Candidate) -> dict[str, Any]:
    """The ``ProcessRecord`` columns of an accepted record."""
    payload = candidate.payload
    return {
        "record_id": candidate.record_id,
        "case_number": payload["case_number"],
        "implementation_code": payload["implementation_code"],
        "message_type": payload["message_type"],
        "event": payload["event"],
        "occurred_at": candidate.occurred_at,
        "region_code": payload["region_code"],
        "department_code": payload["department"]["code"],
        "case_type": payload["case_type"],
        "channel": payload["channel"],
        "visits": payload["visits"],
        "source": client.code,
        "payload": payload,
    }


def write_rows(rows: Sequence[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """Insert ``ProcessRecord`` rows (dicts of columns) inside the caller's transaction;
    returns ``(inserted, already stored)``.

    One multi-row insert (``COPY`` on PostgreSQL); when another push stored some of the
    same record ids since they were looked up, one savepoint per row instead, and those
    rows come back as already stored.
    """
    if not rows:
        return [], []
    try:
        with transaction.atomic():
            quality.fast_insert(ProcessRecord, rows)
        return list(rows), []
    except IntegrityError:
        pass
    inserted, lost = [], []
    for row in rows:
        try:
            with transaction.atomic():
                ProcessRecord(**row).save(force_insert=True)
            inserted.append(row)
        except IntegrityError:
            key = (row["record_id"], row["case_number"], row["occurred_at"])
            if not ProcessRecord.objects.filter(bounds.record_filter([key])).exists():
                raise
            lost.append(row)
    return inserted, lost


def _conflict(candidate: _Candidate, kept: dict[str, Any]) -> quality.Finding | None:
    if candidate.payload == kept:
        return None
    keys = sorted(
        k
        for k in set(candidate.payload) | set(kept)
        if candidate.payload.get(k) != kept.get(k) and k != "record_id"
    )
    shown = "、".join(keys[:8]) + ("等" if len(keys) > 8 else "")
    return quality.Finding(
        record_id=candidate.record_id,
        rule=QualityCheck.CONFLICTING_DUPLICATE,
        message=(
            f"记录{candidate.record_id}已经接收过，本次内容与已接收的不一致"
            f"（不一致的字段：{shown or '—'}）；以首次接收的内容为准，更正请报送新的记录。"
        ),
        case_number=candidate.payload["case_number"],
        implementation_code=candidate.payload["implementation_code"],
        occurred_at=candidate.occurred_at,
    )


def ingest(
    client: ExchangeClient, records: list[dict], *, now: datetime.datetime | None = None
) -> list[RecordResult]:
    """Check and store a batch of pushed records; one result per record, in order.

    Raises ``ValidationError`` (``records``) for a batch that is not a list, is empty or
    holds more than 1,000 records: then nothing is checked and nothing written.
    """
    records = spec.check_batch_size(records)
    now = now or timezone.now()
    day = timezone.localdate(now)
    results: list[RecordResult | None] = [None] * len(records)

    # 1. shape, without the database
    checked: list[_Candidate] = []
    for index, record in enumerate(records):
        payload, occurred, errors = spec.check(record)
        if errors:
            results[index] = RecordResult(index, _record_id_of(record), REJECTED, errors)
        else:
            record_id = uuid.UUID(payload["record_id"])
            checked.append(_Candidate(index, record_id, payload, occurred))

    findings: list[quality.Finding] = []  # conflicting duplicates
    inserted: list[_Candidate] = []
    duplicates = 0
    with transaction.atomic():
        # 2. what the database knows, read once for the whole batch
        # (bounded in time, so a partitioned table reads the months they can lie in)
        stored = (
            dict(
                ProcessRecord.objects.filter(
                    bounds.record_filter(
                        (c.record_id, c.payload["case_number"], c.occurred_at) for c in checked
                    )
                ).values_list("record_id", "payload")
            )
            if checked
            else {}
        )
        reach = ClientReach.of(client)
        regions = _existing(Region, "code", (c.payload["region_code"] for c in checked))
        departments = _existing(
            Department, "credit_code", (c.payload["department"]["code"] for c in checked)
        )

        # 3. each record against the database's facts and the batch so far
        accepted: dict[uuid.UUID, _Candidate] = {}
        for candidate in checked:
            kept = stored.get(candidate.record_id)
            if kept is None and candidate.record_id in accepted:
                kept = accepted[candidate.record_id].payload
            if kept is not None:
                duplicates += 1
                conflict = _conflict(candidate, kept)
                if conflict:
                    findings.append(conflict)
                results[candidate.index] = RecordResult(
                    candidate.index, str(candidate.record_id), DUPLICATE
                )
                continue
            errors = _reach_errors(candidate.payload, reach, regions, departments)
            if errors:
                results[candidate.index] = RecordResult(
                    candidate.index, str(candidate.record_id), REJECTED, errors
                )
                continue
            accepted[candidate.record_id] = candidate

        # 4. the accepted cases' earlier records (for the quality checks), then write
        history = quality.case_history({c.payload["case_number"] for c in accepted.values()})
        for candidate in accepted.values():
            candidate.row = _row(client, candidate)
        _written, lost = write_rows([c.row for c in accepted.values()])
        lost_ids = {row["record_id"] for row in lost}
        kept_now: dict[uuid.UUID, dict] = {}
        if lost_ids:
            lost_keys = [(r["record_id"], r["case_number"], r["occurred_at"]) for r in lost]
            kept_now = dict(
                ProcessRecord.objects.filter(bounds.record_filter(lost_keys)).values_list(
                    "record_id", "payload"
                )
            )
        for candidate in accepted.values():
            if candidate.record_id in lost_ids:
                duplicates += 1
                conflict = _conflict(candidate, kept_now[candidate.record_id])
                if conflict:
                    findings.append(conflict)
                results[candidate.index] = RecordResult(
                    candidate.index, str(candidate.record_id), DUPLICATE
                )
            else:
                inserted.append(candidate)
                results[candidate.index] = RecordResult(
                    candidate.index, str(candidate.record_id), ACCEPTED
                )

        # 5. data quality of what was accepted, the day's counters, the audit entry
        record_findings = quality.check([c.row for c in inserted], now=now, history=history)
        quality.store(client, findings, day=day)  # conflicting duplicates
        quality.store(client, record_findings, day=day, fresh=True)
        flagged = {f.record_id for f in record_findings}
        conflicting = len(findings)
        refused = [r for r in results if r is not None and r.status == REJECTED]
        rejected = len(refused)
        quality.store_rejected(client, refused, records, day=day)
        quality.count_day(
            client,
            day,
            received=len(records),
            accepted=len(inserted),
            duplicates=duplicates,
            rejected=rejected,
            late=sum(1 for f in record_findings if f.rule == QualityCheck.LATE_PUSH),
            with_issues=len(flagged) + conflicting,
        )
        if inserted:
            _audit(client, inserted, duplicates=duplicates, rejected=rejected)
            count = len(inserted)
            transaction.on_commit(
                lambda: records_ingested.send(sender=ExchangeClient, client=client, count=count)
            )
    return [r for r in results if r is not None]


def _audit(client: ExchangeClient, inserted: list[_Candidate], *, duplicates, rejected) -> None:
    ctx = context.current()
    label = ctx.label if ctx.user_id else f"数据交换客户端 {client.code}"
    cases = {(c.payload["case_number"], c.payload["implementation_code"]) for c in inserted}
    with context.acting(label=label):
        audit.record(
            AuditEntry.Action.IMPORT,
            instance=client,
            after={
                "accepted": len(inserted),
                "duplicates": duplicates,
                "rejected": rejected,
                "cases": len(cases),
                "first_record_id": str(inserted[0].record_id),
                "last_record_id": str(inserted[-1].record_id),
            },
            reason="接收办件过程信息（数据交换）",
        )
