"""Incremental export of process records and case facts to the analysis store.

Records are append-only, so they follow a watermark on the record id (as the
monitoring refresh does): each run writes the records after it, a chunk at a time, one
Parquet file per month and city per chunk, named after the chunk's first and last ids;
the watermark moves in the same step, and a file beyond the watermark (left by a run
that died before moving it) is removed before the next run writes the same ids again.

Case facts change (a case concludes, a record arrives late), so their export rewrites
whole partitions: every (conclusion month, city) with a fact updated since the last run
is written again from the database, replacing its one file atomically. Open cases (no
conclusion month) wait until they end.

Nothing personal leaves the database: the applicant is kept only as a keyed pseudonym
(``applicant_key``, an HMAC of the record's blind index) so analyses can follow one
applicant's cases without knowing who it is; names, phones and ID numbers are not
exported.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.json import KT
from django.utils import timezone

from govhall.monitoring.models import CaseFact
from govhall.records.models import ProcessRecord

from ..models import ExportState
from . import store

CHUNK = 100_000
# Facts updated this long before the watermark are looked at again: a transaction that
# committed late with an older ``updated_at`` is still exported.
OVERLAP = datetime.timedelta(minutes=10)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")
RECORD_COLUMNS = (
    "id",
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
)
FACT_COLUMNS = (
    "case_number",
    "implementation_code",
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
)


@dataclass
class ExportResult:
    records: int = 0
    case_partitions: int = 0
    cases: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "records": self.records,
            "case_partitions": self.case_partitions,
            "cases": self.cases,
        }


def _pseudonym_key() -> bytes:
    return hashlib.sha256(b"govhall.analysis.applicant:" + settings.SECRET_KEY.encode()).digest()


def month_of(moment: datetime.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def export(*, chunk: int = CHUNK) -> ExportResult:
    """Both datasets, incrementally (the ``export_analysis_store`` job)."""
    result = ExportResult()
    result.records = export_records(chunk=chunk)
    result.case_partitions, result.cases = export_cases()
    return result


# --- records --------------------------------------------------------------------------------


def _records_schema():
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.int64()),
            ("record_id", pa.string()),
            ("case_number", pa.string()),
            ("implementation_code", pa.string()),
            ("message_type", pa.string()),
            ("event", pa.string()),
            ("occurred_at", pa.timestamp("us", tz="UTC")),
            ("region_code", pa.string()),
            ("department_code", pa.string()),
            ("case_type", pa.string()),
            ("channel", pa.string()),
            ("visits", pa.int16()),
            ("source", pa.string()),
            ("applicant_key", pa.string()),
            ("month", pa.string()),
            ("city", pa.string()),
        ]
    )


def _partitioning():
    import pyarrow as pa
    import pyarrow.dataset as ds

    return ds.partitioning(
        pa.schema([("month", pa.string()), ("city", pa.string())]), flavor="hive"
    )


def _remove_leftovers(directory: Path, watermark: int) -> int:
    removed = 0
    for path in directory.glob("month=*/city=*/part-*.parquet"):
        first = int(path.name.split("-")[1])
        if first > watermark:
            path.unlink()
            removed += 1
    return removed


def record_rows(first_after: int, last: int, limit: int):
    """The records after ``first_after`` up to ``last`` (ids), at most ``limit``, as
    tuples of ``RECORD_COLUMNS`` + the applicant's blind index (application records)."""
    return list(
        ProcessRecord.objects.filter(pk__gt=first_after, pk__lte=last)
        .order_by("pk")
        .annotate(applicant=KT("payload__applicant__id_key"))
        .values_list(*RECORD_COLUMNS, "applicant")[:limit]
    )


def write_records(rows, directory: Path) -> int:
    """Write one chunk of ``record_rows`` into the store, partitioned by month and city."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    if not rows:
        return 0
    key = _pseudonym_key()
    columns = list(zip(*rows, strict=True))
    applicants = [
        hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:24] if value else None
        for value in columns[13]
    ]
    months = [month_of(moment) for moment in columns[6]]
    cities = [store.city_of(code) for code in columns[7]]
    arrays = [
        columns[0],
        [str(value) for value in columns[1]],
        *columns[2:6],
        columns[6],
        *columns[7:13],
        applicants,
        months,
        cities,
    ]
    table = pa.Table.from_arrays(
        [
            pa.array(values, type=field.type)
            for values, field in zip(arrays, _records_schema(), strict=True)
        ],
        schema=_records_schema(),
    )
    first, last = columns[0][0], columns[0][-1]
    ds.write_dataset(
        table,
        directory,
        format="parquet",
        partitioning=_partitioning(),
        basename_template=f"part-{first:015d}-{last:015d}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        max_rows_per_group=1_000_000,
    )
    return len(rows)


def export_records(*, chunk: int = CHUNK, until: int | None = None) -> int:
    """Write every record after the watermark (up to id ``until``); returns how many."""
    ExportState.objects.get_or_create(name=store.RECORDS)
    directory = store.dataset(store.RECORDS)
    directory.mkdir(parents=True, exist_ok=True)
    top = until or ProcessRecord.objects.aggregate(last=Max("pk"))["last"] or 0
    written = 0
    while True:
        with transaction.atomic():
            # One exporter at a time: the row lock makes a second one wait, then go on
            # from where the first stopped.
            state = ExportState.objects.select_for_update().get(name=store.RECORDS)
            if state.last_record_pk >= top:
                break
            _remove_leftovers(directory, state.last_record_pk)
            rows = record_rows(state.last_record_pk, top, chunk)
            if not rows:
                state.last_record_pk = top
                state.save(update_fields=["last_record_pk"])
                break
            write_records(rows, directory)
            state.last_record_pk = rows[-1][0]
            state.rows += len(rows)
            state.exported_at = timezone.now()
            state.save(update_fields=["last_record_pk", "rows", "exported_at"])
            written += len(rows)
    return written


# --- case facts -----------------------------------------------------------------------------


def _cases_table(rows):
    import pyarrow as pa

    schema = pa.schema(
        [
            ("case_number", pa.string()),
            ("implementation_code", pa.string()),
            ("item_name", pa.string()),
            ("source", pa.string()),
            ("region_code", pa.string()),
            ("level", pa.string()),
            ("department_code", pa.string()),
            ("item_type", pa.string()),
            ("case_type", pa.string()),
            ("channel", pa.string()),
            ("applied_at", pa.timestamp("us", tz="UTC")),
            ("accepted_at", pa.timestamp("us", tz="UTC")),
            ("concluded_at", pa.timestamp("us", tz="UTC")),
            ("closed_event", pa.string()),
            ("visits", pa.int16()),
            ("steps", pa.int16()),
        ]
    )
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.Table.from_arrays(
        [
            pa.array(list(values), type=field.type)
            for values, field in zip(columns, schema, strict=True)
        ],
        schema=schema,
    )


def write_case_partition(month: datetime.date, city: str, directory: Path) -> int:
    """Rewrite one (month, city) partition of the case facts from the database."""
    import pyarrow.parquet as pq

    facts = CaseFact.objects.filter(month=month)
    if len(city) == 6 and city != "000000":
        facts = facts.filter(region_code__startswith=city[:4])
    rows = [
        row
        for row in facts.order_by("case_number", "implementation_code").values_list(*FACT_COLUMNS)
        if store.city_of(row[4]) == city
    ]
    folder = directory / f"month={month:%Y-%m}" / f"city={city}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "cases.parquet"
    if not rows:
        target.unlink(missing_ok=True)
        return 0
    temporary = folder / f".cases.{os.getpid()}.tmp"
    pq.write_table(_cases_table(rows), temporary)
    os.replace(temporary, target)
    return len(rows)


def export_cases() -> tuple[int, int]:
    """Rewrite the partitions holding facts updated since the last run; returns
    ``(partitions, facts written)``."""
    ExportState.objects.get_or_create(name=store.CASES)
    directory = store.dataset(store.CASES)
    directory.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        state = ExportState.objects.select_for_update().get(name=store.CASES)
        changed = CaseFact.objects.filter(month__isnull=False)
        if state.last_updated_at:
            changed = changed.filter(updated_at__gt=state.last_updated_at - OVERLAP)
        newest = changed.aggregate(newest=Max("updated_at"))["newest"]
        if newest is None:
            return 0, 0
        touched = {
            (month, store.city_of(region))
            for month, region in changed.values_list("month", "region_code").distinct()
        }
        written = sum(
            write_case_partition(month, city, directory) for month, city in sorted(touched)
        )
        state.last_updated_at = newest
        state.rows += written
        state.exported_at = timezone.now()
        state.save(update_fields=["last_updated_at", "rows", "exported_at"])
    return len(touched), written
