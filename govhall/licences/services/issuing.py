"""Issuing licences and every later version (加注, 延续, 变更, 注销, 到期).

Each version is built, signed with the issuer's SM2 key and stored in one transaction
with its audit entry; the licence row points at its current version. ``issue_for_case``
runs inside the case's conclusion (同步签发), so a case never concludes with an
approval whose licence failed to issue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govhall.core.errors import refuse
from govhall.core.identifiers import validate_credit_code, validate_id_number
from govhall.core.services import audit
from govhall.regions.services.scope import scope_of

from ..models import (
    HolderKind,
    Licence,
    LicenceState,
    LicenceType,
    LicenceVersion,
    SerialCounter,
    VersionKind,
)
from ..models.licences import HolderCodeType
from . import canonical, identifiers, signing

FIELD_TYPES = {"text", "date", "number"}


@dataclass(frozen=True)
class Holder:
    kind: str
    name: str
    code: str
    person: object = None
    company: object = None

    @property
    def code_type(self) -> str:
        return (
            HolderCodeType.ID_CARD if self.kind == HolderKind.PERSON else HolderCodeType.CREDIT_CODE
        )

    @classmethod
    def of_person(cls, person) -> Holder:
        return cls(HolderKind.PERSON, person.name, person.id_number, person=person)

    @classmethod
    def of_company(cls, company) -> Holder:
        return cls(HolderKind.COMPANY, company.name, company.credit_code, company=company)


# --- checks ---------------------------------------------------------------------------


def check_can_issue(user, department) -> None:
    """Only staff of the issuing department (or the platform, user None) sign for it."""
    if user is None:
        return
    scope = scope_of(user)
    if not (scope.is_superuser or department.pk in scope.department_ids):
        raise refuse("issuer", "not_your_department", "只有签发部门的工作人员可以办理该证照。")


def clean_data(licence_type: LicenceType, data: dict, *, prefix: str = "data") -> dict:
    """Check the metadata against the type's fields; every message names its field."""
    data = data or {}
    cleaned = {}
    for field in licence_type.fields or []:
        name, label = field["name"], field.get("label") or field["name"]
        value = data.get(name)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            if field.get("required"):
                raise refuse(f"{prefix}.{name}", "required", f"照面信息“{label}”为必填项。")
            continue
        kind = field.get("type", "text")
        if kind == "date":
            try:
                value = datetime.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise refuse(
                    f"{prefix}.{name}", "date", f"照面信息“{label}”须为日期（YYYY-MM-DD）。"
                ) from None
        elif kind == "number":
            try:
                float(str(value))
            except ValueError:
                raise refuse(f"{prefix}.{name}", "number", f"照面信息“{label}”须为数字。") from None
            value = str(value)
        else:
            value = str(value)
            if len(value) > 200:
                raise refuse(f"{prefix}.{name}", "max_length", f"照面信息“{label}”不能超过200字。")
        cleaned[name] = value
    return cleaned


def clean_holder(licence_type: LicenceType, holder: Holder) -> Holder:
    if holder.kind != licence_type.holder_kind:
        raise refuse(
            "holder_kind",
            "mismatch",
            f"“{licence_type.name}”的持证主体应为{licence_type.get_holder_kind_display()}。",
        )
    if not (holder.name or "").strip():
        raise refuse("holder_name", "required", "“持证主体名称”为必填项。")
    if holder.kind == HolderKind.PERSON:
        result = validate_id_number(holder.code or "")
        if not result.valid:
            raise refuse("holder_code", "id_number", "“持证人身份证号码”不正确。")
    else:
        result = validate_credit_code(holder.code or "")
        if not result.valid:
            raise refuse("holder_code", "credit_code", "“持证单位统一社会信用代码”不正确。")
    return Holder(
        holder.kind, holder.name.strip(), result.normalized, holder.person, holder.company
    )


def default_valid_until(licence_type: LicenceType, valid_from: datetime.date):
    if not licence_type.validity_years:
        return None
    try:
        end = valid_from.replace(year=valid_from.year + licence_type.validity_years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + licence_type.validity_years, day=28)
    return end - datetime.timedelta(days=1)


def _next_serial(licence_type: LicenceType, issuer, year: int) -> str:
    counter, _ = SerialCounter.objects.select_for_update().get_or_create(
        type=licence_type, issuer=issuer, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:08d}"


# --- issuing --------------------------------------------------------------------------


@transaction.atomic
def issue(
    licence_type: LicenceType,
    issuer,
    holder: Holder,
    *,
    data: dict | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    issue_date: datetime.date | None = None,
    number: str = "",
    case=None,
    item_code: str = "",
    user=None,
    kind: str = VersionKind.ISSUE,
    reason: str = "",
    authorised: bool = False,
) -> Licence:
    """Make a licence and its signed first version.

    ``authorised`` says the caller already decided that ``user`` may act (the case
    engine, when a counter clerk concludes another department's case)."""
    if not licence_type.is_active:
        raise refuse("type", "inactive", f"证照类型“{licence_type.name}”已停用。")
    allowed = set(licence_type.issuing_departments.values_list("pk", flat=True))
    if allowed and issuer.pk not in allowed:
        raise refuse("issuer", "not_issuer", f"{issuer.name}不是“{licence_type.name}”的签发部门。")
    if not authorised:
        check_can_issue(user, issuer)
    holder = clean_holder(licence_type, holder)
    data = clean_data(licence_type, data or {})
    today = timezone.localdate()
    valid_from = valid_from or today
    if valid_until is None:
        valid_until = default_valid_until(licence_type, valid_from)
    if valid_until is not None and valid_until < valid_from:
        raise refuse("valid_until", "order", "“有效期截止”不能早于“有效期起始”。")
    serial = _next_serial(licence_type, issuer, (issue_date or today).year)
    number = (number or "").strip() or f"{licence_type.number_prefix}{serial}"
    if Licence.objects.filter(type=licence_type, issuer=issuer, number=number).exists():
        raise refuse("number", "unique", f"本部门已签发编号为“{number}”的{licence_type.name}。")
    licence = Licence.objects.create(
        type=licence_type,
        issuer=issuer,
        serial=serial,
        number=number,
        holder_kind=holder.kind,
        holder_name=holder.name,
        holder_code=holder.code,
        holder_code_type=holder.code_type,
        holder_salt=canonical.new_salt() if holder.code_type == HolderCodeType.ID_CARD else "",
        person=holder.person,
        company=holder.company,
        jurisdiction_code=issuer.region_id,
        case=case,
        item_code=item_code,
        digitised=kind == VersionKind.DIGITISE,
    )
    _new_version(
        licence,
        kind=kind,
        user=user,
        reason=reason,
        data=data,
        annotations=[],
        valid_from=valid_from,
        valid_until=valid_until,
        issue_date=issue_date or today,
    )
    return licence


def _new_version(
    licence: Licence,
    *,
    kind,
    user,
    reason,
    data,
    annotations,
    valid_from,
    valid_until,
    issue_date=None,
) -> LicenceVersion:
    previous = licence.current
    number = previous.version + 1 if previous else 1
    key = signing.active_key(licence.issuer)
    if licence.holder_code_type == HolderCodeType.ID_CARD and not licence.holder_salt:
        licence.holder_salt = canonical.new_salt()  # issued before commitments existed
        licence.save(update_fields=["holder_salt"])
    version = LicenceVersion(
        licence=licence,
        version=number,
        identifier=identifiers.build(
            licence.type.code, licence.issuer.credit_code, licence.serial, number
        ),
        kind=kind,
        reason=reason.strip(),
        data=data,
        annotations=annotations,
        valid_from=valid_from,
        valid_until=valid_until,
        issue_date=issue_date or (previous.issue_date if previous else timezone.localdate()),
        issued_at=timezone.now().replace(microsecond=0),
        issued_by=user if user is not None and user.is_authenticated else None,
        key=key,
    )
    version.canonical = canonical.dumps(canonical.licence_document(licence, version))
    version.signature = signing.b64(signing.sign(key, version.canonical.encode("utf-8")))
    version.save(force_insert=True)
    licence.current = version
    licence.save(update_fields=["current", "state", "holder_name"])
    audit.record(
        audit.AuditEntry.Action.CREATE if number == 1 else audit.AuditEntry.Action.UPDATE,
        instance=licence,
        object_repr=f"{licence.type.name} {licence.number}",
        before={"identifier": previous.identifier, "state": licence.state} if previous else None,
        after={"identifier": version.identifier, "kind": kind, "state": licence.state},
        reason=reason or version.get_kind_display(),
    )
    return version


def issue_for_case(case, user) -> Licence | None:
    """同步签发: the licence of an approved case, in the conclusion's transaction."""
    code = case.item_version.result_licence_type
    if not code:
        return None
    licence_type = LicenceType.objects.filter(code=code, is_active=True).first()
    if licence_type is None:
        return None  # the catalogue names a type the 通用目录 does not (yet) hold
    if licence_type.holder_kind == HolderKind.COMPANY:
        if case.company is None:
            raise refuse(
                "holder", "company", f"“{licence_type.name}”须颁发给单位，但申请人不是单位。"
            )
        holder = Holder.of_company(case.company)
    else:
        if case.person is None:
            raise refuse(
                "holder", "person", f"“{licence_type.name}”须颁发给个人，但办件没有申请人身份信息。"
            )
        holder = Holder.of_person(case.person)
    answers = case.application.answers if case.application_id else {}
    data = {f["name"]: answers.get(f["name"]) for f in licence_type.fields or []}
    existing = Licence.objects.filter(case=case).first()
    if existing is not None:
        return existing
    licence = issue(
        licence_type,
        case.department,
        holder,
        data=data,
        valid_until=case.result_valid_until,
        number=case.result_number if case.result_number != case.number else "",
        case=case,
        item_code=case.implementation_code,
        user=user,
        authorised=True,
        reason=f"办件{case.number}办结同步签发",
    )
    case.result_name = licence_type.name
    case.result_number = licence.number
    case.result_valid_until = licence.current.valid_until
    return licence


# --- later versions -------------------------------------------------------------------


def _locked(licence: Licence, user) -> Licence:
    licence = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("type", "issuer", "current")
        .get(pk=licence.pk)
    )
    check_can_issue(user, licence.issuer)
    if licence.state == LicenceState.REVOKED:
        raise refuse("licence", "revoked", "该证照已注销，不能再办理。")
    return licence


def _next_version(licence: Licence, kind: str, user, reason: str, **changes) -> LicenceVersion:
    """The next version: the current one's data, annotations and validity unless changed."""
    current = licence.current
    values = {
        "data": current.data,
        "annotations": current.annotations,
        "valid_from": current.valid_from,
        "valid_until": current.valid_until,
        **changes,
    }
    return _new_version(licence, kind=kind, user=user, reason=reason, **values)


def _need_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise refuse("reason", "required", "请填写“原因”。")
    return reason.strip()


@transaction.atomic
def annotate(
    licence: Licence, user, *, text: str, reason: str = "", valid_until: datetime.date | None = None
) -> LicenceVersion:
    """加注: a dated note on the licence (e.g. an inspection), with its author."""
    licence = _locked(licence, user)
    if not (text or "").strip():
        raise refuse("text", "required", "请填写“加注内容”。")
    current = licence.current
    note = {
        "at": timezone.now().isoformat(timespec="seconds"),
        "author": licence.issuer.name,
        "text": text.strip(),
        "reason": (reason or "").strip(),
        "valid_until": valid_until.isoformat() if valid_until else None,
    }
    return _next_version(
        licence,
        VersionKind.ANNOTATE,
        user,
        reason or text,
        annotations=[*current.annotations, note],
    )


@transaction.atomic
def renew(
    licence: Licence, user, *, valid_until: datetime.date | None, reason: str
) -> LicenceVersion:
    """延续: a new validity period; an expired licence becomes valid again."""
    licence = _locked(licence, user)
    reason = _need_reason(reason)
    today = timezone.localdate()
    valid_until = valid_until or default_valid_until(licence.type, today)
    if valid_until is not None and valid_until <= today:
        raise refuse("valid_until", "future", "延续后的“有效期截止”须晚于今天。")
    licence.state = LicenceState.VALID
    return _next_version(licence, VersionKind.RENEW, user, reason, valid_until=valid_until)


@transaction.atomic
def change(
    licence: Licence, user, *, data: dict | None = None, holder_name: str = "", reason: str
) -> LicenceVersion:
    """变更: new metadata (and/or holder name), same serial, next version."""
    licence = _locked(licence, user)
    reason = _need_reason(reason)
    if licence.state != LicenceState.VALID:
        raise refuse("licence", "not_valid", "只有有效的证照可以变更。")
    current = licence.current
    merged = clean_data(licence.type, {**current.data, **(data or {})})
    old_name = licence.holder_name
    if holder_name.strip():
        licence.holder_name = holder_name.strip()
    if merged == current.data and licence.holder_name == old_name:
        raise refuse("data", "unchanged", "变更内容与当前证照相同。")
    return _next_version(licence, VersionKind.CHANGE, user, reason, data=merged)


@transaction.atomic
def revoke(licence: Licence, user, *, reason: str) -> LicenceVersion:
    """注销: the licence stops being valid; the revocation is itself signed."""
    licence = _locked(licence, user)
    reason = _need_reason(reason)
    licence.state = LicenceState.REVOKED
    return _next_version(licence, VersionKind.REVOKE, user, reason)


# The lifecycle actions staff take by name (desk forms and the staff API).
LIFECYCLE = {"annotate": annotate, "renew": renew, "change": change, "revoke": revoke}


def expire_due(today: datetime.date | None = None) -> int:
    """到期: licences past their validity get a signed expiry version (run daily)."""
    today = today or timezone.localdate()
    due = Licence.objects.filter(state=LicenceState.VALID, current__valid_until__lt=today)
    count = 0
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            licence = _locked(Licence(pk=pk), None)
            if licence.state != LicenceState.VALID:
                continue
            until = licence.current.valid_until
            licence.state = LicenceState.EXPIRED
            _next_version(licence, VersionKind.EXPIRE, None, f"有效期至{until.isoformat()}，已到期")
            count += 1
    return count
