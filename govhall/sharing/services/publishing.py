"""Publishing the open datasets: one pass over the rows writes CSV, JSON and XLSX to
temporary files while the personal-data scan reads the same cells; only a clean dataset
replaces the published files (the previous files stay until then)."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from govhall.core.services import audit

from ..models import OpenDataset
from . import privacy
from .datasets import REGISTRY, Dataset

log = logging.getLogger(__name__)

FORMATS = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Outcome:
    key: str
    rows: int = 0
    findings: list[privacy.Finding] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return not self.findings


class _Writers:
    """The three formats, written row by row to temporary files."""

    def __init__(self, folder: Path, spec: Dataset, stamp: str):
        self.folder = folder
        self.paths = {fmt: folder / f"{spec.key}.{fmt}" for fmt in FORMATS}
        # UTF-8 with BOM: spreadsheet programs then read the Chinese headers correctly.
        self._csv_file = open(self.paths["csv"], "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow([c.name for c in spec.columns])
        self._json = open(self.paths["json"], "w", encoding="utf-8")  # noqa: SIM115
        head = {
            "dataset": spec.key,
            "title": spec.title,
            "publisher": spec.publisher,
            "licence": spec.licence,
            "updated_at": stamp,
            "fields": [c.as_dict() for c in spec.columns],
        }
        self._json.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
        self._names = [c.name for c in spec.columns]
        self._first = True
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(spec.key[:31])
        self._sheet.append([c.title for c in spec.columns])

    def write(self, row: tuple) -> None:
        self._csv.writerow(row)
        self._json.write(("" if self._first else ",") + "\n")
        self._json.write(json.dumps(dict(zip(self._names, row, strict=True)), ensure_ascii=False))
        self._first = False
        self._sheet.append(list(row))

    def close(self) -> None:
        self._csv_file.close()
        self._json.write("\n]}\n")
        self._json.close()
        self._book.save(self.paths["xlsx"])


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def publish(key: str) -> Outcome:
    """Build one dataset; publish it when the scan finds nothing, else withhold it and
    keep the files published before."""
    spec = REGISTRY[key]
    now = timezone.now()
    stamp = now.isoformat(timespec="seconds")
    outcome = Outcome(key)
    columns = [c.name for c in spec.columns]
    with tempfile.TemporaryDirectory(prefix="open-data-") as tmp:
        writers = _Writers(Path(tmp), spec, stamp)

        def rows():
            for row in spec.rows():
                writers.write(row)
                outcome.rows += 1
                yield row

        try:
            outcome.findings = privacy.scan(columns, rows())
        finally:
            writers.close()
        with transaction.atomic():
            record, _ = OpenDataset.objects.select_for_update().get_or_create(
                key=key, defaults={"title": spec.title, "status": OpenDataset.Status.PUBLISHED}
            )
            record.title = spec.title
            record.checked_at = now
            if outcome.findings:
                record.status = OpenDataset.Status.WITHHELD
                record.withheld_reason = "；".join(str(f) for f in outcome.findings)
                record.save()
                audit.record(
                    audit.AuditEntry.Action.OTHER,
                    instance=record,
                    after={"status": record.status, "findings": [str(f) for f in outcome.findings]},
                    reason="开放数据集含个人信息，暂停更新",
                )
                return outcome
            old = dict(record.files)
            rows_digest = _digest(writers.paths["csv"])  # the CSV carries no timestamp
            if (
                record.status == OpenDataset.Status.PUBLISHED
                and old.get("csv", {}).get("sha256") == rows_digest
            ):
                record.save(update_fields=["title", "checked_at"])  # unchanged: nothing new
                return outcome
            files = {}
            version = now.strftime("%Y%m%d%H%M%S")
            for fmt, path in writers.paths.items():
                with open(path, "rb") as f:
                    name = default_storage.save(f"open-data/{key}/{version}.{fmt}", File(f))
                files[fmt] = {"name": name, "bytes": path.stat().st_size, "sha256": _digest(path)}
            record.files = files
            record.status = OpenDataset.Status.PUBLISHED
            record.withheld_reason = ""
            record.updated_at = now
            record.row_count = outcome.rows
            record.save()
            audit.record(
                audit.AuditEntry.Action.UPDATE,
                instance=record,
                after={"rows": outcome.rows, "files": {k: v["sha256"] for k, v in files.items()}},
                reason="发布开放数据集",
            )
            transaction.on_commit(lambda: _remove(old, files))
    return outcome


def _remove(old: dict, current: dict) -> None:
    keep = {f["name"] for f in current.values()}
    for entry in old.values():
        if entry.get("name") and entry["name"] not in keep:
            default_storage.delete(entry["name"])


def publish_all() -> list[Outcome]:
    return [publish(key) for key in REGISTRY]
