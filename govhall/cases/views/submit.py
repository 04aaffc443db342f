"""Step 3: check your answers, then submit once, then the confirmation with case numbers.

The submit form carries an idempotency key made when the page is shown, so a double
click or a resent form returns the cases of the first submission instead of new ones.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from govhall.catalog.services import forms as catalog_forms
from govhall.catalog.services.forms import visible
from govhall.core.identifiers import mask_id_number

from ..forms import ANSWER_PREFIX, BOOLEAN_CHOICES
from ..models import Application, Delivery
from ..services import applications
from .common import applicant_login, draft_or_404
from .drafts import steps_context
from .materials import material_rows

CONTACT_FIELDS = ("contact_phone", "contact_name", "delivery", "delivery_address")


def _shown(spec: dict, value) -> str:
    if value is None or value == "":
        return ""
    if spec["type"] == "boolean":
        return str(dict(BOOLEAN_CHOICES)["true" if value else "false"])
    if spec["type"] == "id_number":
        return mask_id_number(str(value))
    return catalog_forms.shown(spec, value)


def answer_rows(application) -> list[dict]:
    answers = application.answers
    return [
        {"label": spec["label"], "value": _shown(spec, answers.get(spec["name"])), "spec": spec}
        for spec in applications.form_of(application)
        if visible(spec, answers)
    ]


def problem_links(application, problems) -> list[dict]:
    """Each problem linked to the page and field where it is put right."""
    form_url = reverse("cases:application", kwargs={"public_id": application.public_id})
    materials_url = reverse("cases:materials", kwargs={"public_id": application.public_id})
    needs = {n.key: i for i, n in enumerate(applications.material_needs(application), start=1)}
    links = []
    for problem in problems:
        if problem.field.startswith("materials."):
            index = needs.get(problem.field.removeprefix("materials."), "")
            href = f"{materials_url}#need-{index}"
        elif problem.field in CONTACT_FIELDS or problem.field.startswith(ANSWER_PREFIX):
            href = f"{form_url}#id_{problem.field}"
        elif problem.field == "licence_consent":
            href = "#id_licence_consent"
        else:
            href = ""
        links.append({"href": href, "message": problem.message})
    return links


def _check_page(request, application, problems, status=200):
    delivery = (
        Delivery(application.delivery).label if application.delivery in Delivery.values else ""
    )
    rows = material_rows(application, request.identity)
    return render(
        request,
        "cases/portal/check.html",
        {
            "answers": answer_rows(application),
            "rows": rows,
            "delivery_label": delivery,
            "problems": problem_links(application, problems),
            "uses_licences": any(row["licence"] for row in rows),
            "first_licence_row": next((row["index"] for row in rows if row["licence"]), ""),
            # A refusal found only at submission (consent) leaves the form on the page.
            "can_submit": not any(not isinstance(p, _Refusal) for p in problems),
            "idempotency_key": uuid.uuid4(),
            **steps_context(application, 3),
        },
        status=status,
    )


@applicant_login
@require_http_methods(["GET", "POST"])
def check(request, public_id):
    application = draft_or_404(request, public_id)
    if application.state != Application.State.DRAFT and request.method == "GET":
        return redirect("cases:done", public_id=application.public_id)
    if request.method == "POST":
        try:
            key = str(uuid.UUID(request.POST.get("idempotency_key", "")))
        except ValueError:
            key = ""
        try:
            applications.submit(
                application,
                request.identity,
                idempotency_key=key,
                licence_consent=request.POST.get("licence_consent") == "on",
                endpoint="portal.submit",
            )
        except ValidationError as exc:
            application.refresh_from_db()
            problems = _problems(application) or [
                _Refusal(m, field) for field, ms in _by_field(exc) for m in ms
            ]
            return _check_page(request, application, problems, status=400)
        return redirect("cases:done", public_id=application.public_id)
    return _check_page(request, application, _problems(application))


def _problems(application) -> list:
    _answers, problems = applications.check_complete(application)
    return problems


def _by_field(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return [
            (field, [m for e in errors for m in e.messages])
            for field, errors in exc.error_dict.items()
        ]
    return [("", exc.messages)]


class _Refusal:
    """A refusal found only at submission (e.g. consent missing, the item withdrawn)."""

    def __init__(self, message: str, field: str = ""):
        self.message = message
        self.field = field


@applicant_login
@require_GET
def done(request, public_id):
    application = draft_or_404(request, public_id)
    if application.state != Application.State.SUBMITTED:
        return redirect("cases:check", public_id=application.public_id)
    cases = list(application.cases.select_related("department").order_by("pk"))
    bundle_case = cases[0].bundle_case if cases and cases[0].bundle_case_id else None
    return render(
        request,
        "cases/portal/done.html",
        {"application": application, "cases": cases, "bundle_case": bundle_case},
    )
