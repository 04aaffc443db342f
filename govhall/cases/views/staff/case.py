"""One case for staff: everything about it, its files, and the forms of the actions
this user may take now (each posting to ``/workbench/cases/<number>/<action>/``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govhall.cases.models import Case, CaseState
from govhall.cases.services import access, clocks, handling, queries, task_alerts
from govhall.catalog.services import forms as catalogue_forms
from govhall.core import files
from govhall.core.identifiers import mask_id_number
from govhall.records import events
from govhall.records.models import MessageType, ProcessRecord
from govhall.workbench.gate import apply_errors, staff_only

from . import actions
from .common import scoped_case

# Sections other apps add to the case page: ``section(request, case)`` answers extra
# template context (the licences app adds the consented licences and 部门调取).
SECTIONS: list[Callable[[HttpRequest, Case], dict]] = []


@dataclass(frozen=True)
class Answer:
    label: str
    value: str


@dataclass(frozen=True)
class Record:
    occurred_at: object
    message_type: str
    event: str
    handler: str
    summary: str


def _shown(value, field: dict) -> str:
    if field.get("type") == "id_number" and value:
        return mask_id_number(str(value))  # ID numbers are masked on every page
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return catalogue_forms.shown(field, value)


def answers_of(case) -> list[Answer]:
    """The submitted answers under this item's own labels (a bundle's merged form may
    hold other items' fields too)."""
    given = case.application.answers or {}
    return [
        Answer(field["label"], _shown(given[field["name"]], field))
        for field in case.item_version.form_fields or []
        if field.get("name") in given
    ]


def records_of(case) -> list[Record]:
    labels = dict(MessageType.choices)
    rows = []
    for record in ProcessRecord.objects.filter(case_number=case.number).order_by(
        "occurred_at", "pk"
    ):
        details = (record.payload or {}).get("details") or {}
        summary = next(
            (
                str(details[k])
                for k in ("opinion", "reason", "result", "note")
                if details.get(k) not in (None, "")
            ),
            "",
        )
        rows.append(
            Record(
                record.occurred_at,
                labels.get(record.message_type, record.message_type),
                events.label(record.event),
                str(details.get("handler") or ""),
                summary,
            )
        )
    return rows


def render_case(request, case, *, bound=None, status: int = 200, extra: dict | None = None):
    user = request.user
    step = handling.current_step(case)
    offers = actions.available(case, user, step)
    forms = {o.action.name: actions.bind(o.action.name, case) for o in offers}
    labels = {o.action.name: o.label for o in offers}
    if bound is not None:
        forms[bound[0]] = bound[1]
    suspended = case.state in (CaseState.SUSPENDED, CaseState.AWAITING_CORRECTION)
    context = {
        "case": case,
        "current_step": step,
        "remaining": clocks.remaining(case) if case.is_open else None,
        "suspended": suspended,
        "answers": answers_of(case),
        "materials": case.application.materials.select_related("file").order_by("pk"),
        "steps": queries.step_history(case),
        "corrections": case.corrections.select_related("issued_by"),
        "suspensions": case.suspensions.all(),
        "records": records_of(case),
        "action_forms": [
            (name, labels.get(name) or actions.label(name, step), forms[name]) for name in forms
        ],
        "bound_form": bound[1] if bound is not None else None,
        "nav": "case",
    }
    for section in SECTIONS:
        context.update(section(request, case))
    context.update(extra or {})
    return render(request, "cases/staff/case.html", context, status=status)


@staff_only
def case_page(request, number: str):
    case = scoped_case(request.user, number)
    access.record_read(
        request.user,
        case,
        purpose=f"办理办件{case.number}：查看申请信息",
        fields=["申请人信息", "申请表", "申请材料清单"],
    )
    task_alerts.mark_read(request.user, case.number)
    return render_case(request, case)


@staff_only
def case_file(request, number: str, file_id):
    """A material of the case, read only through the case's scope (never a media URL)."""
    case = scoped_case(request.user, number)
    material = (
        case.application.materials.select_related("file").filter(file__public_id=file_id).first()
    )
    if material is None:
        raise Http404
    access.record_read(
        request.user,
        case,
        purpose=f"办理办件{case.number}：查看申请材料",
        source="material",
        fields=[material.name],
    )
    stored = material.file
    return files.serve(
        request, stored.content, filename=stored.name, content_type=stored.content_type
    )


@staff_only
@require_POST
def case_action(request, number: str, action: str):
    """Run one action from its form. A refusal shows the case page again with the message
    next to the field; for an action no longer offered, as page messages."""
    case = scoped_case(request.user, number)
    if action not in actions.FORMS:
        raise Http404
    step = handling.current_step(case)
    form = actions.bind(action, case, request.POST)
    if form.is_valid():
        try:
            actions.run(action, case, request.user, form)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("办件%(number)s：已%(action)s。")
                % {"number": case.number, "action": actions.label(action, step)},
            )
            return redirect("workbench:case", number=case.number)
    if action not in {o.action.name for o in actions.available(case, request.user, step)}:
        for error in form.non_field_errors():
            messages.error(request, error)
        for field in form:
            for error in field.errors:
                messages.error(request, f"{field.label}：{error}")
        return redirect("workbench:case", number=case.number)
    return render_case(request, case, bound=(action, form), status=400)
