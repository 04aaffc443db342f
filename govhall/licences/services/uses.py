"""Using licences (用证): what an applicant holds, who read it, for which case.

Every read goes through ``record_use``; the holder sees the list under “谁用了我的证照”.
A department reads an applicant's licence only inside one of its cases (``for_case``).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.accounts.models import Power
from govhall.cases.services import access
from govhall.cases.services.facts import HeldLicence
from govhall.core.errors import refuse
from govhall.core.prepared import Prepared
from govhall.core.services import audit
from govhall.core.signals import personal_data_read
from govhall.regions.services.scope import scope_of

from ..models import HolderKind, Licence, LicenceState, LicenceType, LicenceUse


def valid_licences(person, company=None) -> QuerySet[Licence]:
    """The valid licences of the acting identity (the company when acting for one)."""
    rows = Licence.objects.filter(state=LicenceState.VALID).select_related(
        "type", "issuer", "current"
    )
    if company is not None:
        return rows.filter(company=company, holder_kind=HolderKind.COMPANY)
    if person is None:
        return rows.none()
    return rows.filter(person=person, holder_kind=HolderKind.PERSON)


# The six columns ``held`` needs, in ``valid_licences``' rows and the newest first;
# compiled once a connection (every submission naming a licence type reads them).
HELD_COLUMNS = (
    "type__code",
    "current__identifier",
    "type__name",
    "number",
    "issuer__name",
    "current__valid_until",
)


def _held_by(holder: str) -> Prepared:
    """``valid_licences``' rows for one holder (``person`` or ``company``, by key), as the
    prepared read of ``held``'s columns: the rule stays in ``valid_licences``."""
    return Prepared(
        Licence,
        lambda pk: (
            valid_licences(**{"person": None, holder: pk})
            .order_by("-created_at")
            .values_list(*HELD_COLUMNS)
        ),
    )


_held_by_person = _held_by("person")
_held_by_company = _held_by("company")


def held(person, company=None) -> list[HeldLicence]:
    """Provider for the case engine (``cases.services.facts``): valid, unexpired licences,
    the same and in the same order as ``valid_licences``."""
    today = timezone.localdate()
    if company is not None:
        rows = _held_by_company(company.pk)
    elif person is not None:
        rows = _held_by_person(person.pk)
    else:
        return []
    return [
        HeldLicence(type_code=code, identifier=identifier, name=name, number=number, issuer=issuer)
        for code, identifier, name, number, issuer, valid_until in rows
        if valid_until is None or valid_until >= today
    ]


def holder_licences(identity) -> QuerySet[Licence]:
    """Every licence of the acting identity, any state (for “我的证照”): their own, or
    the company's when acting for it with the power to receive licences (领取证照)."""
    rows = Licence.objects.select_related("type", "issuer", "current")
    if identity.company is not None:
        if not identity.can(Power.RECEIVE_LICENCES):
            return rows.none()
        return rows.filter(company=identity.company, holder_kind=HolderKind.COMPANY)
    if identity.person is None:
        return rows.none()
    return rows.filter(person=identity.person, holder_kind=HolderKind.PERSON)


def record_use(
    licence: Licence,
    kind: str,
    *,
    user=None,
    department=None,
    case=None,
    purpose: str = "",
    identifier: str = "",
) -> LicenceUse:
    use = LicenceUse.objects.create(
        licence=licence,
        identifier=identifier or licence.current.identifier,
        kind=kind,
        user=user if user is not None and user.is_authenticated else None,
        department=department,
        case=case,
        purpose=purpose[:200],
    )
    if kind in STAFF_READS:
        _report_read(licence, use)
    return use


# Reads by staff, reported to the holder's "谁用了我的数据" as well as listed here.
STAFF_READS = (LicenceUse.Kind.READ, LicenceUse.Kind.REQUEST, LicenceUse.Kind.COUNTER)


def _report_read(licence: Licence, use: LicenceUse) -> None:
    person_user = licence.person.user_id if licence.person_id else None
    personal_data_read.send(
        sender=LicenceUse,
        subject_user_id=person_user if licence.holder_kind == HolderKind.PERSON else None,
        subject_id_number=licence.company.credit_code
        if licence.holder_kind == HolderKind.COMPANY and licence.company_id
        else "",
        reader_user_id=use.user_id,
        reader_department_id=use.department_id,
        reader_client="",
        purpose=use.purpose or use.get_kind_display(),
        case_number=use.case.number if use.case_id else "",
        fields=[licence.type.name],
        source="licence",
    )


def uses_of_holder(identity) -> QuerySet[LicenceUse]:
    return (
        LicenceUse.objects.filter(licence__in=holder_licences(identity))
        .select_related("licence__type", "department", "case", "user")
        .order_by("-at", "-pk")
    )


# --- inside a case ---------------------------------------------------------------------


def case_licences(case) -> QuerySet[Licence]:
    """Licences of the case's applicant (person or company)."""
    if case.company_id:
        return Licence.objects.filter(company_id=case.company_id, holder_kind=HolderKind.COMPANY)
    if case.person_id:
        return Licence.objects.filter(person_id=case.person_id, holder_kind=HolderKind.PERSON)
    return Licence.objects.none()


def _staff_department(user, case):
    scope = scope_of(user)
    for department_id in (case.department_id, case.accepting_department_id):
        if department_id in scope.department_ids:
            return (
                case.department
                if department_id == case.department_id
                else case.accepting_department
            )
    return None


def _record_case_uses(licences, kind: str, user, case, purpose: str) -> None:
    """Log each licence as used by ``user`` for ``case``, on behalf of the department of
    theirs that handles or accepted it."""
    department = _staff_department(user, case)
    for licence in licences:
        record_use(licence, kind, user=user, department=department, case=case, purpose=purpose)


def consented(case) -> QuerySet[Licence]:
    """Licences the applicant let this case use (materials supplied by licence)."""
    identifiers = (
        [m.reference for m in case.application.materials.filter(source="licence") if m.reference]
        if case.application_id
        else []
    )
    return (
        case_licences(case)
        .filter(versions__identifier__in=identifiers)
        .select_related("type", "issuer", "current")
        .distinct()
    )


@transaction.atomic
def read_for_case(user, case) -> list[Licence]:
    """The consented licences shown on a staff member's case page, each read logged."""
    if not access.staff_can_read(user, case):
        raise refuse("case", "not_your_case", "您无权查看该办件。")
    licences = list(consented(case))
    purpose = f"审查办件{case.number}的申请材料"
    _record_case_uses(licences, LicenceUse.Kind.READ, user, case, purpose)
    return licences


@transaction.atomic
def request_for_case(user, case, type_code: str, purpose: str) -> list[Licence]:
    """部门调取: a department asks for the applicant's licence of a type, within this case."""
    if not access.staff_can_read(user, case):
        raise refuse("case", "not_your_case", "您无权查看该办件。")
    if not (purpose or "").strip():
        raise refuse("purpose", "required", "请填写“调取用途”。")
    licence_type = LicenceType.objects.filter(code=(type_code or "").strip()).first()
    if licence_type is None:
        raise refuse("type_code", "unknown", "证照类型代码不存在。")
    licences = list(
        case_licences(case)
        .filter(type=licence_type)
        .filter(Q(state=LicenceState.VALID) | Q(state=LicenceState.EXPIRED))
        .select_related("type", "issuer", "current")
    )
    _record_case_uses(licences, LicenceUse.Kind.REQUEST, user, case, purpose.strip())
    audit.record(
        audit.AuditEntry.Action.OTHER,
        instance=case,
        after={"licence_request": licence_type.code, "found": len(licences)},
        reason=f"调取电子证照：{licence_type.name}；用途：{purpose.strip()}",
    )
    return licences
