"""Who may see and act on a case: staff by department and region, applicants by identity.

Every view and API endpoint asks these functions; a case outside the caller's reach
is reported as not found (404), never as forbidden, so its number leaks nothing.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from govhall.accounts.models import Power
from govhall.regions.models import Post
from govhall.regions.services.scope import StaffScope, scope_of

from ..models import Case, CaseStep, StepState

CASE_POSTS = frozenset({Post.CLERK, Post.REVIEWER, Post.APPROVER, Post.SUPERVISOR, Post.HALL_ADMIN})


def staff_cases(user, scope: StaffScope | None = None) -> QuerySet[Case]:
    """Cases a staff user may read: their departments' (responsible, accepting or handling a
    step), and for supervisors and hall administrators every case of their regions."""
    scope = scope or scope_of(user)
    if scope.is_superuser:
        return Case.objects.all()
    departments = {held.department_id for held in scope.posts if held.post in CASE_POSTS}
    if not departments and not scope.region_prefixes:
        return Case.objects.none()
    condition = Q(department_id__in=departments) | Q(accepting_department_id__in=departments)
    condition |= Q(
        Exists(CaseStep.objects.filter(case=OuterRef("pk"), department_id__in=departments))
    )
    for prefix in scope.region_prefixes:
        condition |= Q(region__code__startswith=prefix)
    return Case.objects.filter(condition)


def staff_can_read(user, case: Case) -> bool:
    return staff_cases(user).filter(pk=case.pk).exists()


def inbox(user, scope: StaffScope | None = None) -> QuerySet[CaseStep]:
    """Open tasks for the user's posts at their departments (one indexed read per post)."""
    scope = scope or scope_of(user)
    pairs = {
        (held.post, held.department_id)
        for held in scope.posts
        if held.post in (Post.CLERK, Post.REVIEWER, Post.APPROVER)
    }
    if not pairs:
        return CaseStep.objects.none()
    condition = Q()
    for post, department in sorted(pairs):
        condition |= Q(department_id=department, post=post)
    return CaseStep.objects.filter(condition, state=StepState.OPEN)


def can_do_step(user, step: CaseStep) -> bool:
    scope = scope_of(user)
    if step.state != StepState.OPEN:
        return False
    return scope.is_superuser or any(
        held.post == step.post and held.department_id == step.department_id for held in scope.posts
    )


def applicant_cases(identity) -> QuerySet[Case]:
    """Cases of the acting identity: their own, or the company's when acting for it
    with the power to view cases."""
    if identity is None or identity.person is None:
        return Case.objects.none()
    if identity.company is not None:
        if not identity.can(Power.VIEW_CASES):
            return Case.objects.none()
        return Case.objects.filter(company=identity.company)
    return Case.objects.filter(person=identity.person, company__isnull=True)


def applicant_can_act(identity, case: Case) -> bool:
    if identity is None or identity.person is None:
        return False
    if case.company_id:
        return (
            identity.company is not None
            and identity.company.pk == case.company_id
            and (identity.can(Power.APPLY))
        )
    return identity.company is None and case.person_id == identity.person.pk


def record_read(user, case: Case, *, purpose: str, source: str = "case", fields=()) -> None:
    """Report a staff member's read of the applicant's data in ``case`` to the data-use
    log (``core.signals.personal_data_read``; the spaces app records it for the person's
    "谁用了我的数据"). Called only after the case was found in ``staff_cases``, so a read
    is always a read within a case in the reader's scope."""
    from govhall.core.signals import personal_data_read

    scope = scope_of(user)
    candidates = [case.department_id, case.accepting_department_id]
    department_id = next((d for d in candidates if d and d in scope.department_ids), None)
    if department_id is None:
        department_id = next(iter(sorted(scope.department_ids)), None)
    # the person's own account (a counter case may have been filed by a clerk)
    subject = case.person.user_id if case.person_id and not case.company_id else case.user_id
    personal_data_read.send(
        sender=Case,
        subject_user_id=subject,
        subject_id_number=case.company.credit_code if case.company_id else "",
        reader_user_id=user.pk,
        reader_department_id=department_id,
        reader_client="",
        purpose=purpose,
        case_number=case.number,
        fields=list(fields),
        source=source,
    )
