"""Step 1 of an application: the item's form and the contact details, kept as a draft.

"Save and continue" keeps what is well formed (so the draft resumes on any device) and
names what is still missing; "save for later" only keeps it. A submitted application's
pages lead to its confirmation instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ..forms import ApplicationForm, apply_errors, delivery_choices
from ..models import Application
from ..services import applications
from .common import applicant_login, draft_or_404, draft_page

STEPS = (gettext_lazy("填写申请表"), gettext_lazy("提供材料"), gettext_lazy("核对并提交"))


def steps_context(application, current: int) -> dict:
    return {"application": application, "step": current, "steps": STEPS}


def form_for(application, data=None) -> ApplicationForm:
    specs = applications.form_of(application)
    deliveries = delivery_choices(application)
    initial = ApplicationForm.initial_for(application, specs)
    if not initial.get("delivery") and len(deliveries) == 1:
        initial["delivery"] = deliveries[0][0]
    return ApplicationForm(data, fields=specs, deliveries=deliveries, initial=initial)


def missing_on_form(application, form: ApplicationForm) -> None:
    """After saving: the required answers and contact details still empty, on their fields."""
    _answers, problems = applications.check_complete(application)
    for problem in problems:
        if problem.field in form.fields and problem.field not in form.errors:
            form.add_error(problem.field, problem.message)


@draft_page
def application_form(request, application):
    form = form_for(application, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        saved = False
        if form.is_valid():
            try:
                applications.save_answers(application, form.answers(), contact=form.contact())
                saved = True
            except ValidationError as exc:
                apply_errors(form, exc)
        if saved and request.POST.get("action") == "later":
            messages.success(request, _("已保存草稿，可在“我的申请草稿”中继续填写。"))
            return redirect("cases:my-applications")
        if saved:
            missing_on_form(application, form)
            if not form.errors:
                return redirect("cases:materials", public_id=application.public_id)
            messages.info(request, _("已保存您填写的内容，请补全以下各项后继续。"))
        status = 400
    return render(
        request,
        "cases/portal/application_form.html",
        {"form": form, **steps_context(application, 1)},
        status=status,
    )


@applicant_login
@require_GET
def my_applications(request):
    identity = request.identity
    drafts = (
        Application.objects.filter(
            user=identity.user, state=Application.State.DRAFT, company=identity.company
        )
        .select_related("item", "bundle")
        .order_by("-updated_at")
    )
    return render(request, "cases/portal/my_applications.html", {"drafts": drafts})


@applicant_login
@require_POST
def discard(request, public_id):
    application = draft_or_404(request, public_id)
    try:
        applications.discard(application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除“%(title)s”的申请草稿。") % {"title": application.title})
    return redirect("cases:my-applications")
