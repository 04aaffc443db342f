"""Realistic process records of one case, as a county system pushes them: used by the
exchange tests and by the demo (a branch hall's first pushes, with a late record and an
inconsistent one so that the quality page has something to show)."""

from __future__ import annotations

import datetime
import hashlib
import uuid

from django.utils import timezone

from govhall.regions.models import Department


def case_number(department: Department, serial: int, day: str = "20261203") -> str:
    return f"{department.region_id}{department.credit_code[8:17]}{day}{serial:06d}"


def iso(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


class CaseStory:
    """The records of one case as a county system would push them."""

    def __init__(self, item, department: Department, number: str, *, region=""):
        self.item, self.department, self.number = item, department, number
        self.region = region or department.region_id

    def record(self, message_type: str, at: datetime.datetime, state: str, **extra) -> dict:
        details = extra.pop("details", {})
        record = {
            "format": "1.0",
            "record_id": str(uuid.uuid4()),
            "case_number": self.number,
            "implementation_code": self.item.implementation_code,
            "item_name": self.item.name,
            "case_type": "2",
            "channel": "online",
            "message_type": message_type,
            "occurred_at": iso(at),
            "department": {"code": self.department.credit_code, "name": self.department.name},
            "region_code": self.region,
            "state": state,
            "visits": 0,
            "promised_due": None,
            "statutory_due": None,
            "details": details,
        }
        record.update(extra)
        return record

    def submit(self, at, **extra):
        return self.record(
            "0",
            at,
            "submitted",
            applicant={
                "kind": "person",
                "name": "陈志明",
                "id_type": "111",
                "id_key": hashlib.sha256(self.number.encode()).hexdigest(),
                "contact_phone": "13800138000",
            },
            details={"materials": ["申请书", "居民户口簿"], "bundle": None},
            **extra,
        )

    def step(self, code: str, name: str, at, **details):
        return {
            "step_code": code,
            "step_name": name,
            "action": "pass",
            "handler": "李晓华",
            "handler_department": self.department.credit_code,
            "opinion": details.pop("opinion", "同意"),
            "started_at": iso(at - datetime.timedelta(minutes=30)),
            "completed_at": iso(at),
            **details,
        }

    def accept(self, at, **extra):
        return self.record(
            "2",
            at,
            "in_progress",
            promised_due=(at + datetime.timedelta(days=14)).date().isoformat(),
            statutory_due=(at + datetime.timedelta(days=28)).date().isoformat(),
            details=self.step("0", "受理", at, accepted=True, document_number="受字〔2026〕1号"),
            **extra,
        )

    def approve_step(self, at, **extra):
        return self.record("3", at, "in_progress", details=self.step("1", "承办", at), **extra)

    def decide(self, at, **extra):
        return self.record(
            "3",
            at,
            "decided",
            details=self.step("3", "批准", at, decision="approve", reason=""),
            **extra,
        )

    def conclude(self, at, **extra):
        return self.record(
            "4",
            at,
            "concluded",
            details={
                "conclusion_code": "0",
                "decision": "approve",
                "result_name": self._result_name(),
                "result_number": f"{self.number[-6:]}",
                "valid_until": None,
                "delivery": "electronic",
                "tracking_number": "",
                "fee": None,
            },
            **extra,
        )

    def _result_name(self) -> str:
        current = self.item.current if self.item.current_id else None
        return (current.result_name if current else "") or self.item.name

    def whole(self, start) -> list[dict]:
        """申办 → 受理 → 承办 → 批准 → 办结, an hour apart."""
        hour = datetime.timedelta(hours=1)
        return [
            self.submit(start),
            self.accept(start + hour),
            self.approve_step(start + 2 * hour),
            self.decide(start + 3 * hour),
            self.conclude(start + 4 * hour),
        ]
