"""Reading shared data (共享调用): the one way any department gets a base library's data.

Every call — through the API with a department's client credentials, or by the hall
itself when it fetches a material for an application — goes through ``read``: it finds
the requesting department's approval in force whose data items and purpose cover the
call, checks the case the call serves (the requester must handle it and the subject must
be its applicant), asks the library and logs the call once, seen by both ends. A call
outside an approval is refused, logged with why, and counted. A returned read is
reported to the data subject's "谁用了我的数据" (``core.signals.personal_data_read``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from govhall.accounts.models import Person
from govhall.core.errors import refuse
from govhall.core.identifiers import mask_id_number, validate_credit_code, validate_id_number
from govhall.core.signals import personal_data_read

from ..models import Approval, Library, Resource, SharedRead, SharingType
from . import sources


@dataclass(frozen=True)
class ReadResult:
    read: SharedRead
    values: dict[str, str]  # field code → value as people read it
    names: dict[str, str]  # field code → data item name
    codes: dict[str, str] = field(default_factory=dict)  # field code → code of a coded value

    @property
    def returned(self) -> bool:
        return self.read.outcome == SharedRead.Outcome.RETURNED

    def as_rows(self) -> list[tuple[str, str]]:
        return [(self.names.get(c, c), v) for c, v in self.values.items()]


def subject_of(resource: Resource, subject: str) -> tuple[str, str, str]:
    """(normalised key, blind index kept in the log, masked form) of an ID number or a
    credit code, as the resource's library keys its records."""
    value = (subject or "").strip().upper()
    if resource.library == Library.POPULATION:
        result = validate_id_number(value)
        if not result.valid:
            raise refuse(
                "subject", "invalid", "“数据主体”须为有效的公民身份号码（人口库按身份号码查询）。"
            )
        return (
            result.normalized,
            Person.index_for(result.normalized),
            mask_id_number(result.normalized),
        )
    result = validate_credit_code(value)
    if not result.valid:
        raise refuse(
            "subject", "invalid", "“数据主体”须为有效的统一社会信用代码（法人库按信用代码查询）。"
        )
    return result.normalized, result.normalized, result.normalized


def _case_problem(case, requester_id: int, key: str):
    """Why ``case`` cannot carry this read, or None: the requester must handle it and the
    subject must be its applicant."""
    if case is None:
        return None
    if requester_id not in {case.department_id, case.accepting_department_id}:
        return ("case_not_handled", f"办件{case.number}不由调用部门办理，不能以该办件名义调用。")
    if case.company_id:
        subject = case.company.credit_code
    else:
        subject = case.person.id_number if case.person_id else ""
    if (subject or "").upper() != key:
        return ("case_subject", f"办件{case.number}的申请人不是所查询的数据主体。")
    return None


def read(
    *,
    requester,
    resource: Resource,
    subject: str,
    fields: list[str] | None,
    purpose: str,
    case=None,
    case_number: str = "",
    client_id: str = "",
    user=None,
) -> ReadResult:
    """One call for shared data; refused calls are logged and raised (``sharing_*`` codes).

    ``fields`` None asks for every item the approval covers. ``case`` (a ``Case``) binds
    the call to a case the requester handles (``case_number`` only labels the log when
    no ``Case`` is given).
    """
    key, index, masked = subject_of(resource, subject)
    purpose = (purpose or "").strip()[:200]
    base = dict(
        resource=resource,
        requester=requester,
        owner_id=resource.owner_id,
        client_id=(client_id or "")[:100],
        reader_user=user if getattr(user, "pk", None) else None,
        purpose=purpose or "—",
        case_number=(case.number if case is not None else case_number)[:40],
        subject_key=index,
        subject_masked=masked,
    )
    known = dict(resource.fields.values_list("code", "name"))
    problem, approval = _check(resource, requester, fields, purpose, known)
    if problem is None:
        problem = _case_problem(case, requester.pk if requester else None, key)
    if problem is not None:
        _log_refusal(base, fields or [], *problem)
        code, message = problem
        raise refuse("approval" if code.startswith("sharing_") else "case", code, message)
    codes = [c for c in approval.fields if fields is None or c in set(fields)]
    record = sources.fetch(resource.library, key, codes)
    with transaction.atomic():
        if record is None:
            row = SharedRead.objects.create(
                **base, approval=approval, fields=[], outcome=SharedRead.Outcome.NO_DATA
            )
            return ReadResult(row, {}, known)
        returned = [c for c in codes if c in record.values]
        values = {c: str(record.values[c]) for c in returned}
        row = SharedRead.objects.create(
            **base,
            approval=approval,
            fields=returned,
            outcome=SharedRead.Outcome.RETURNED,
            values=json.dumps(values, ensure_ascii=False),
            source_name=(record.source_name(returned) or resource.owner.name)[:100],
            source_updated_at=record.updated_at(returned),
        )
        personal_data_read.send(
            sender=SharedRead,
            subject_user_id=None,
            subject_id_number=key,
            reader_user_id=row.reader_user_id,
            reader_department_id=requester.pk if requester else None,
            reader_client=row.client_id,
            purpose=f"共享调用“{resource.name}”：{purpose}"[:200],
            case_number=row.case_number,
            fields=[known.get(c, c) for c in returned],
            source="sharing",
        )
    codes_returned = {c: record.codes[c] for c in returned if c in record.codes}
    return ReadResult(row, values, known, codes_returned)


def _check(resource, requester, fields, purpose, known):
    """(problem, approval): the approval in force that covers the call, or why none does."""
    if requester is None:
        return ("sharing_no_department", "调用方未登记所属部门，不能调用共享数据。"), None
    if not resource.is_active or resource.sharing_type == SharingType.NONE:
        return ("sharing_not_shared", f"共享资源“{resource.name}”不予共享或已停用。"), None
    unknown = sorted(set(fields or []) - set(known))
    if unknown:
        return (
            "sharing_unknown_field",
            f"共享资源“{resource.name}”没有数据项：{'、'.join(unknown)}。",
        ), None
    if not purpose:
        return ("sharing_no_purpose", "调用共享数据须写明用途（与共享申请的用途一致）。"), None
    today = timezone.localdate()
    approvals = list(
        Approval.objects.filter(requester=requester, resource=resource).order_by("-requested_at")
    )
    live = [a for a in approvals if a.in_force(today)]
    if not live:
        revoked = next((a for a in approvals if a.status == Approval.Status.REVOKED), None)
        if revoked is not None and not any(a.status == Approval.Status.APPROVED for a in approvals):
            return (
                "sharing_revoked",
                f"{resource.owner.name}已于{timezone.localtime(revoked.revoked_at):%Y-%m-%d}"
                f"撤销{requester.name}共享“{resource.name}”的授权。",
            ), None
        if any(a.status == Approval.Status.APPROVED for a in approvals):
            return (
                "sharing_expired",
                f"{requester.name}共享“{resource.name}”的授权已过有效期。",
            ), None
        return (
            "sharing_no_approval",
            f"{requester.name}没有经{resource.owner.name}同意的“{resource.name}”共享授权。",
        ), None
    for approval in live:
        if approval.purpose != purpose:
            continue
        if fields is not None and not set(fields) <= set(approval.fields):
            continue
        return None, approval
    if not any(a.purpose == purpose for a in live):
        return (
            "sharing_purpose",
            f"用途“{purpose}”不在{requester.name}获准的用途之内"
            f"（{'、'.join(sorted({a.purpose for a in live}))}）。",
        ), None
    allowed = sorted({c for a in live if a.purpose == purpose for c in a.fields})
    outside = "、".join(known.get(c, c) for c in (fields or []) if c not in allowed)
    granted = "、".join(known.get(c, c) for c in allowed)
    return ("sharing_fields", f"数据项{outside}不在获准范围之内（获准：{granted}）。"), None


def _log_refusal(base: dict, fields, code: str, message: str) -> None:
    """Refused calls are kept and counted. The API calls outside any transaction, so the
    row stays; inside the hall's submission a refusal rolls back with the submission
    (that path checks ``availability`` first, so it refuses only in a race)."""
    SharedRead.objects.create(
        **base,
        fields=list(fields)[:50],
        outcome=SharedRead.Outcome.REFUSED,
        refusal_code=code[:40],
        refusal=message[:300],
    )


def covering(requester, resource: Resource, fields: list[str] | None, purpose: str):
    """The approval in force that would carry the call, or None."""
    known = dict(resource.fields.values_list("code", "name"))
    problem, approval = _check(resource, requester, fields, purpose, known)
    return None if problem else approval


def availability(requester, resource: Resource, fields: list[str] | None, purpose: str) -> str:
    """Why the requester cannot read now, or "" (no log: nothing is read)."""
    known = dict(resource.fields.values_list("code", "name"))
    problem, _ = _check(resource, requester, fields, purpose, known)
    return problem[1] if problem else ""


def refused_counts(department_ids, *, as_owner: bool = False) -> list[dict]:
    """Refused calls per requester (or, for an owner, per resource), for the lists."""
    column = "owner_id" if as_owner else "requester_id"
    return list(
        SharedRead.objects.filter(**{f"{column}__in": department_ids})
        .values("requester__name", "resource__name")
        .annotate(
            refused=Count("pk", filter=Q(outcome=SharedRead.Outcome.REFUSED)),
            total=Count("pk"),
        )
        .order_by("requester__name", "resource__name")
    )


def values_of(row: SharedRead) -> dict[str, str]:
    return json.loads(row.values) if row.values else {}
