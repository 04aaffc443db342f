"""Archiving an old month of process records: to Parquet, verified, then detached.

``archive_month`` brings the analysis store up to date, holds new writes to the month's
partition (``SHARE`` lock) while it exports what arrived meanwhile, compares the month's
row count in the store with the partition's, and only when they are equal detaches the
partition — dropping it or keeping it as a plain ``…_archived_…`` table. The outbox rows
of the month's records go with it; a record not yet delivered to the parent hall stops
the archive.

The monitoring facts and roll-ups of the month stay (they are separate tables), so its
indicators are unchanged; a ``rebuild`` afterwards would only see the months still in
the database, so archive months older than any correction is expected to reach.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction

from govhall.core.errors import refuse
from govhall.records.models import OutboxMessage
from govhall.records.services import partitions

from . import export, store

MIN_AGE_MONTHS = 2  # the current and the previous month stay in the database


@dataclass
class ArchiveResult:
    month: datetime.date
    rows: int
    stored: int
    kept_as: str


def _months_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def archive_month(month: datetime.date, *, drop: bool = False, today=None) -> ArchiveResult:
    month = partitions.first_of(month)
    today = today or datetime.date.today()
    if not partitions.is_partitioned():
        raise refuse(
            "month",
            "not_partitioned",
            "办件过程信息表未按月分区（仅 PostgreSQL 分区），无法按月归档",
        )
    if _months_between(month, today) < MIN_AGE_MONTHS:
        raise refuse(
            "month", "too_recent", f"只能归档{MIN_AGE_MONTHS}个月以前的月份：{month:%Y-%m}太近"
        )
    if month not in partitions.months():
        raise refuse("month", "no_partition", f"{month:%Y-%m}没有分区（可能已归档）")
    name = partitions.name_of(month)
    start, end = partitions.bounds(month)
    export.export_records()  # the bulk of it, before taking any lock
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {name} IN SHARE MODE")
        export.export_records()  # whatever arrived since, now that no more can
        rows = partitions.count(month)
        con = store.connect()
        stored = con.execute(
            "SELECT count(*) FROM records WHERE month = ?", [f"{month:%Y-%m}"]
        ).fetchone()[0]
        if stored != rows:
            raise refuse(
                "month",
                "count_mismatch",
                f"分析库中{month:%Y-%m}的记录数 {stored} 与数据库中的 {rows} 不一致，未归档",
            )
        outbox = OutboxMessage.objects.filter(
            record__occurred_at__gte=start, record__occurred_at__lt=end
        )
        if outbox.filter(delivered_at=None, rejected_at=None).exists():
            raise refuse("month", "undelivered", f"{month:%Y-%m}还有未报送上级的过程信息，未归档")
        outbox.delete()
        kept = partitions.detach(cursor, month, drop=drop)
    return ArchiveResult(month, rows, stored, kept)
