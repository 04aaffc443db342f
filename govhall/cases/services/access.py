"""Who may see and act on a case: staff by department and region, applicants by identity.

Every view and API endpoint asks these functions; a case outside the caller's reach
is reported as not found (404), never as forbidden, so its number leaks nothing.

Recusal (回避): nobody handles a case in which they are a party — the applicant, the
person who applied for a company (its agent), an agent holding the applicant company's
grant, or that company's legal representative. Such cases drop out of ``staff_cases``
and ``inbox`` (so every page and API answers 404) and every staff action refuses them
(``actions.refusal``), whatever the user's posts, superusers included.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from govhall.accounts.models import AgentGrant, Company, Person, Power
from govhall.regions.models import Post
from govhall.regions.services.scope import StaffScope, scope_of

from ..models import Case, CaseStep, StepState

CASE_POSTS = frozenset({Post.CLERK, Post.REVIEWER, Post.APPROVER, Post.SUPERVISOR, Post.HALL_ADMIN})


def _person_of(user) -> int | None:
    """The id of ``user``'s person (read once per user object), or None. Only the id: the
    recusal compares ids, and a whole ``Person`` row cost an inbox page more than its read."""
    if user is None or not getattr(user, "pk", None):
        return None
    cached = getattr(user, "_party_person", False)
    if cached is False:
        cached = Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
        user._party_person = cached
    return cached


def parties_condition(user, prefix: str = "") -> Q:
    """Cases in which ``user`` is a party (``prefix``: the path to the case, e.g. ``case__``).

    Applicant or the person who applied (``person``), the applying account (``user``),
    the applicant company's legal representative, or an agent of that company with a grant
    not revoked (in force or not: an agent remains a party to the company's cases)."""
    condition = Q(**{f"{prefix}user_id": user.pk})
    person = _person_of(user)
    if person is not None:
        companies = AgentGrant.objects.filter(agent_id=person, revoked_at__isnull=True).values(
            "company_id"
        )
        represented = Company.objects.filter(legal_representative_id=person).values("pk")
        condition |= Q(**{f"{prefix}person_id": person})
        # Subqueries, not a join to the company: each branch is then one index probe.
        condition |= Q(**{f"{prefix}company_id__in": represented})
        condition |= Q(**{f"{prefix}company_id__in": companies})
    return condition


#: Past this many cases of their own, a user's recusal is checked by joining each task to
#: its case instead of by a list of case ids.
OWN_CASES_LISTED = 500


def _own_case_ids(user) -> list[int] | None:
    """The ids of the cases ``user`` is a party to, or ``None`` when there are more than
    ``OWN_CASES_LISTED`` (a handler is a party to few cases, usually none)."""
    ids = list(
        Case.objects.filter(parties_condition(user))
        .order_by()
        .values_list("pk", flat=True)[: OWN_CASES_LISTED + 1]
    )
    return None if len(ids) > OWN_CASES_LISTED else ids


def party_role(user, case: Case) -> str:
    """How ``user`` is a party to ``case`` (申请人, 经办人, 法定代表人), or ``""``."""
    person = _person_of(user)
    if case.company_id is None:
        if case.user_id == user.pk or (person is not None and case.person_id == person):
            return "申请人"
        return ""
    if person is not None and case.company.legal_representative_id == person:
        return "申请法人的法定代表人"
    if case.user_id == user.pk or (person is not None and case.person_id == person):
        return "经办人"
    if (
        person is not None
        and AgentGrant.objects.filter(
            company_id=case.company_id, agent_id=person, revoked_at__isnull=True
        ).exists()
    ):
        return "申请法人的经办人"
    return ""


def would_be_party(user, person: Person, company=None) -> bool:
    """Whether ``user`` would be a party to a case that ``person`` applies for (for
    ``company`` when given): a counter clerk does not take their own application."""
    own = _person_of(user)
    if own is None:
        return person.user_id == user.pk
    if own == person.pk:
        return True
    if company is None:
        return False
    return (
        company.legal_representative_id == own
        or AgentGrant.objects.filter(
            company=company, agent_id=own, revoked_at__isnull=True
        ).exists()
    )


def staff_cases(user, scope: StaffScope | None = None) -> QuerySet[Case]:
    """Cases a staff user may read: their departments' (responsible, accepting or handling a
    step), and for supervisors and hall administrators every case of their regions — never
    those in which the user is a party (recusal)."""
    return _staff_cases(user, scope).exclude(parties_condition(user))


def _staff_cases(user, scope: StaffScope | None) -> QuerySet[Case]:
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
    tasks = CaseStep.objects.filter(condition, state=StepState.OPEN)
    # Recusal by the user's own case ids (usually none): the inbox and its count stay an
    # index scan of the tasks, instead of a join to a case for every open task.
    own = _own_case_ids(user)
    if own is None:
        return tasks.exclude(parties_condition(user, "case__"))
    return tasks.exclude(case_id__in=own) if own else tasks


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
