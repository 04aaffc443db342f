"""Demo cases for ``make run``: the demo citizen's cases in several states (idempotent)."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from govhall.accounts.models import Person
from govhall.accounts.services.acting import Identity
from govhall.cases.models import Application, Case, CaseStep, StepState
from govhall.cases.services import applications, clocks, handling
from govhall.catalog.models import Item
from govhall.demo.files import blank_pdf
from govhall.regions.models import StaffPost

DEMO_ITEM = ("最低生活保障审批", "440703")
ANSWERS = {"household_size": 3, "monthly_income": 1800, "has_disabled_member": False}
PDF = blank_pdf()


def _staff(username: str):
    post = StaffPost.objects.select_related("user").filter(user__username=username).first()
    return post.user if post else None


def _application(identity: Identity, item: Item) -> Application:
    application = applications.start(identity, item=item)
    applications.save_answers(
        application,
        ANSWERS,
        contact={
            "contact_phone": identity.user.mobile or "13800138000",
            "delivery": applications.delivery_offered(application)[0],
        },
    )
    for need in applications.material_needs(application):
        if need.source != "shared":
            upload = SimpleUploadedFile(f"{need.name}.pdf", PDF, content_type="application/pdf")
            stored = applications.store_file(identity.user, upload, title=need.name, kind=need.key)
            applications.attach(application, need.key, file=stored)
    return application


def _submitted_days_ago_so_due_soon(case: Case) -> None:
    """Move a fresh case's submission back until its acceptance falls due within the
    reminder lead time, so the scheduler's first deadline scan reminds the clerk."""
    from django.conf import settings

    from govhall.core.services import calendar

    today = clocks.today()
    horizon = calendar.add_working_days(today, settings.GOVHALL_REMINDER_WORKING_DAYS).due_date
    day = today
    while calendar.add_working_days(day, clocks.ACCEPTANCE_LIMIT_DAYS).due_date > horizon:
        day -= datetime.timedelta(days=1)
    shift = datetime.timedelta(days=(today - day).days)
    Case.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at - shift)
    for step in case.steps.filter(state=StepState.OPEN):
        CaseStep.objects.filter(pk=step.pk).update(started_at=step.started_at - shift)
    case.refresh_from_db()
    fields = clocks.recompute(case)
    Case.objects.filter(pk=case.pk).update(**{field: getattr(case, field) for field in fields})


@transaction.atomic
def load_cases_demo() -> int:
    """Four cases of demo_citizen at Pengjiang: awaiting acceptance, in review, concluded,
    and one awaiting acceptance that falls due within a working day (the scheduler's
    deadline scan reminds pj_clerk of it when `make run` starts)."""
    person = Person.objects.select_related("user").filter(user__username="demo_citizen").first()
    item = Item.objects.published().filter(name=DEMO_ITEM[0], region_id=DEMO_ITEM[1]).first()
    clerk, reviewer, approver = (_staff(u) for u in ("pj_clerk", "pj_reviewer", "pj_approver"))
    if not (person and item and clerk and reviewer and approver):
        return 0
    if Case.objects.filter(person=person, item=item).exists():
        return 0
    identity = Identity(user=person.user, person=person)
    cases = [applications.submit(_application(identity, item), identity)[0] for _ in range(4)]
    _submitted_days_ago_so_due_soon(cases[3])
    for case in cases[1:3]:
        handling.accept(case, clerk)
    handling.complete_step(cases[2], reviewer, opinion="经入户调查，家庭收入低于当地低保标准。")
    handling.decide(cases[2], approver, decision="approve", opinion="同意纳入低保。")
    handling.conclude(cases[2], clerk, delivery="electronic")
    return len(cases)
