"""电子文件归档: a department's concluded cases of a period, with their licences, as one ZIP.

The package holds ``manifest.json`` (what each case was, who applied — the ID number
masked —, its dates, decision, process records, materials and licences), the files
themselves under ``files/`` (materials, each licence version's signed canonical JSON, its
SM2 signature (DER), its PDF when there is one, the issuer public keys) and
``checksums.sha256`` in ``sha256sum`` format, so an archivist can check the package with
``sha256sum -c`` and the SM3 digests in the manifest without our software.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from govhall.cases.models import Case, CaseState
from govhall.cases.services.applications import material_key
from govhall.core.errors import refuse
from govhall.core.identifiers import mask_id_number
from govhall.core.services import audit
from govhall.records.models import ProcessRecord
from govhall.regions.services.scope import scope_of

from ..models import Licence
from . import signing

FORMAT = "govhall-archive/1"
MAX_DAYS = 366
MAX_CASES = 5000
UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name that stays one path segment and prints plainly in ``sha256sum``."""
    name = UNSAFE.sub("_", name or "").strip().lstrip(".")
    return (name or fallback)[-120:]


@dataclass
class ArchiveResult:
    package_id: str
    file_name: str
    cases: int
    licences: int
    files: int
    content: bytes | None = None


@dataclass
class _Package:
    zip: zipfile.ZipFile
    files: list[dict] = field(default_factory=list)

    def add(self, path: str, data: bytes) -> dict:
        entry = {
            "path": path,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "sm3": signing.sm3_hex(data),
        }
        self.zip.writestr(path, data)
        self.files.append(entry)
        return entry


def check_can_export(user, department) -> None:
    """Staff of the department (or the platform, user None): the package holds materials."""
    if user is None:
        return
    scope = scope_of(user)
    if not (scope.is_superuser or department.pk in scope.department_ids):
        raise refuse("department", "not_your_department", "只有本部门的工作人员可以导出归档包。")


def check_period(date_from: datetime.date, date_to: datetime.date) -> None:
    if date_from is None:
        raise refuse("date_from", "required", "请填写“开始日期”。")
    if date_to is None:
        raise refuse("date_to", "required", "请填写“结束日期”。")
    if date_to < date_from:
        raise refuse("date_to", "order", "“结束日期”不能早于“开始日期”。")
    if (date_to - date_from).days >= MAX_DAYS:
        raise refuse("date_to", "max_period", f"归档期间最长{MAX_DAYS}天，请分段导出。")


def cases_of(department, date_from, date_to):
    return (
        Case.objects.filter(
            department=department,
            state=CaseState.CONCLUDED,
            concluded_at__date__gte=date_from,
            concluded_at__date__lte=date_to,
        )
        .select_related("person", "company", "application", "item_version")
        .order_by("concluded_at", "pk")
    )


def _iso(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _applicant(case: Case) -> dict:
    if case.applicant_kind == "company":
        code = case.company.credit_code if case.company_id else ""
        return {"kind": "company", "name": case.applicant_name, "code": code}
    number = case.person.id_number if case.person_id else ""
    return {"kind": "person", "name": case.applicant_name, "code": mask_id_number(number or "")}


def _materials(case: Case, package: _Package, base: str) -> list[dict]:
    rows = case.application.materials.select_related("file").order_by("pk")
    if case.bundle_case_id:  # a bundle's application also holds the other items' materials
        keys = {material_key(m) for m in case.item_version.materials.all()}
        rows = [m for m in rows if m.key in keys]
    out = []
    for index, material in enumerate(rows, start=1):
        entry = {
            "key": material.key,
            "name": material.name,
            "source": material.source,
            "reference": material.reference,
            "file": None,
        }
        stored = material.file
        if stored is not None:
            described = {"original_name": stored.name, "content_type": stored.content_type}
            try:
                with stored.content.open("rb") as handle:
                    data = handle.read()
            except (FileNotFoundError, OSError, ValueError):
                described["missing"] = True
            else:
                path = f"{base}/materials/{index:02d}-{safe_name(stored.name)}"
                added = package.add(path, data)
                described.update(added)
                described["matches_upload_digest"] = added["sha256"] == stored.sha256
            entry["file"] = described
        out.append(entry)
    return out


def _licences(case: Case, package: _Package, base: str, keys: dict) -> list[dict]:
    out = []
    for licence in Licence.objects.filter(case=case).select_related("type", "current"):
        versions = []
        for version in licence.versions.select_related("key").order_by("version"):
            name = safe_name(version.identifier)
            stem = f"{base}/licences/{name}"
            row = {
                "version": version.version,
                "identifier": version.identifier,
                "kind": version.kind,
                "issue_date": _iso(version.issue_date),
                "signed_at": _iso(version.issued_at),
                "key_id": version.key.key_id,
                "canonical": package.add(f"{stem}.json", version.canonical.encode("utf-8")),
                "signature": package.add(f"{stem}.sig", base64.b64decode(version.signature)),
                "signature_format": "SM2-with-SM3 DER; signer ID 1234567812345678",
                "pdf": None,
            }
            if version.pdf:
                try:
                    with version.pdf.open("rb") as handle:
                        row["pdf"] = package.add(f"{stem}.pdf", handle.read())
                except (FileNotFoundError, OSError, ValueError):
                    row["pdf"] = {"missing": True}
            keys.setdefault(version.key.key_id, version.key)
            versions.append(row)
        out.append(
            {
                "identifier": licence.current.identifier if licence.current else "",
                "type_code": licence.type.code,
                "type_name": licence.type.name,
                "number": licence.number,
                "state": licence.state,
                "versions": versions,
            }
        )
    return out


def _case_entry(case: Case, package: _Package, keys: dict) -> dict:
    base = f"files/{safe_name(case.number)}"
    records = ProcessRecord.objects.filter(case_number=case.number).order_by("occurred_at", "pk")
    return {
        "number": case.number,
        "item": {"name": case.item_name, "implementation_code": case.implementation_code},
        "applicant": _applicant(case),
        "channel": case.channel,
        "dates": {
            "submitted_at": _iso(case.submitted_at),
            "accepted_at": _iso(case.accepted_at),
            "decided_at": _iso(case.decided_at),
            "concluded_at": _iso(case.concluded_at),
            "promised_due": _iso(case.promised_due),
            "statutory_due": _iso(case.statutory_due),
        },
        "decision": {
            "decision": case.decision,
            "reason": case.decision_reason,
            "conclusion_code": case.conclusion_code,
            "result_name": case.result_name,
            "result_number": case.result_number,
            "result_valid_until": _iso(case.result_valid_until),
            "delivery": case.delivery,
        },
        "process_records": [
            {
                "record_id": str(r.record_id),
                "message_type": r.message_type,
                "event": r.event,
                "occurred_at": _iso(r.occurred_at),
                "payload": r.payload,
            }
            for r in records
        ],
        "materials": _materials(case, package, base),
        "licences": _licences(case, package, base, keys),
    }


def export_archive(department, date_from, date_to, user, out=None) -> ArchiveResult:
    """Write the package to ``out`` (a path or binary file); without it, return the bytes."""
    check_can_export(user, department)
    check_period(date_from, date_to)
    cases = cases_of(department, date_from, date_to)
    count = cases.count()
    if count > MAX_CASES:
        raise refuse(
            "date_to",
            "too_many_cases",
            f"该期间有{count}件办结办件，超过每包{MAX_CASES}件，请缩短期间。",
        )
    package_id = str(uuid.uuid4())
    created_at = timezone.now()
    file_name = (
        f"归档-{department.credit_code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}-{package_id[:8]}.zip"
    )
    target = io.BytesIO() if out is None else out
    if isinstance(target, str | Path):
        target = open(target, "wb")  # noqa: SIM115 - closed below
        close = True
    else:
        close = False
    try:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            package = _Package(archive)
            keys: dict = {}
            entries = [_case_entry(case, package, keys) for case in cases.iterator(chunk_size=200)]
            key_files = [
                {
                    "key_id": key_id,
                    "sm2_public_key": key.sm2_public_key,
                    "file": package.add(
                        f"files/keys/{key_id}.pem",
                        signing.public_key_pem(key.sm2_public_key).encode("ascii"),
                    ),
                }
                for key_id, key in sorted(keys.items())
            ]
            manifest = {
                "format": FORMAT,
                "package_id": package_id,
                "created_at": _iso(created_at),
                "created_by": getattr(user, "username", "") if user is not None else "system",
                "department": {
                    "name": department.name,
                    "credit_code": department.credit_code,
                    "region_code": department.region_id,
                },
                "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
                "counts": {
                    "cases": len(entries),
                    "licences": sum(len(e["licences"]) for e in entries),
                    "files": len(package.files),
                },
                "digests": ["SHA-256", "SM3"],
                "cases": entries,
                "keys": key_files,
                "files": list(package.files),
            }
            text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
            package.add("manifest.json", text.encode("utf-8"))
            lines = "".join(f"{f['sha256']}  {f['path']}\n" for f in package.files)
            archive.writestr("checksums.sha256", lines.encode("utf-8"))
    finally:
        if close:
            target.close()
    result = ArchiveResult(
        package_id=package_id,
        file_name=file_name,
        cases=manifest["counts"]["cases"],
        licences=manifest["counts"]["licences"],
        files=len(package.files),
        content=target.getvalue() if out is None else None,
    )
    audit.record(
        audit.AuditEntry.Action.OTHER,
        object_type="licences.archive",
        object_id=package_id,
        object_repr=f"{department.name} {date_from.isoformat()}至{date_to.isoformat()} 归档包",
        after={
            "department": department.credit_code,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "cases": result.cases,
            "licences": result.licences,
            "files": result.files,
            "manifest_sha256": package.files[-1]["sha256"],
        },
        reason="导出电子文件归档包",
    )
    return result
