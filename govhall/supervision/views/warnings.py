"""Staff pages of warnings (/workbench/supervision/): the list with filters, counts and
the department ranking, one warning with its trail and the actions the user may take.
Scope from ``services.access``: a warning out of reach is a 404."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govhall.records.models import ProcessRecord
from govhall.workbench.gate import forbidden, staff_gate

from ..models import Card, Category, WarningState, WarningStep
from ..services import access, queries, workflow

PAGE_SIZE = 50

staff_only = staff_gate(lambda: _("只有在岗的工作人员可以查看效能监督。"))


class FilterForm(forms.Form):
    card = forms.ChoiceField(
        label=gettext_lazy("预警等级"),
        required=False,
        choices=[("", gettext_lazy("全部")), *Card.choices],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("open", gettext_lazy("未办结")),
            *WarningState.choices,
        ],
    )
    category = forms.ChoiceField(
        label=gettext_lazy("类别"),
        required=False,
        choices=[("", gettext_lazy("全部")), *Category.choices],
    )
    case_number = forms.CharField(label=gettext_lazy("办件编号"), required=False, max_length=40)
    region = forms.CharField(label=gettext_lazy("区划代码"), required=False, max_length=12)


class ActionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=2000, widget=forms.Textarea
    )
    due_date = forms.DateField(
        label=gettext_lazy("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@staff_only
def warning_list(request):
    form = FilterForm(request.GET or None)
    params = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        flt = queries.WarningFilter.parse(params)
    except ValidationError:
        flt = queries.WarningFilter()
    scope = access.scope_of(request.user)
    all_visible = queries.visible(request.user)
    rows = flt.apply(all_visible)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/warnings.html",
        {
            "nav": "supervision",
            "form": form,
            "page": page,
            "counts": queries.counts(all_visible),
            "ranking": queries.ranking(all_visible) if access.sees_regions(scope) else [],
            "query": request.GET.urlencode() if request.GET else "",
        },
    )


def _visible_warning(user, pk: int):
    warning = (
        queries.visible(user)
        .prefetch_related(Prefetch("trail", queryset=WarningStep.objects.order_by("at", "pk")))
        .filter(pk=pk)
        .first()
    )
    if warning is None:
        raise Http404
    return warning


@staff_only
def warning_page(request, pk: int, form: ActionForm | None = None, status: int = 200):
    warning = _visible_warning(request.user, pk)
    records = list(
        ProcessRecord.objects.filter(record_id__in=warning.record_ids).order_by("occurred_at")
    )
    return render(
        request,
        "supervision/warning.html",
        {
            "nav": "supervision",
            "warning": warning,
            "records": records,
            "actions": workflow.available(request.user, warning),
            "form": form or ActionForm(),
        },
        status=status,
    )


@require_POST
@staff_only
def warning_action(request, pk: int, action: str):
    warning = _visible_warning(request.user, pk)
    if action not in workflow.ACTIONS:
        raise Http404
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            workflow.take(
                request.user,
                warning,
                action,
                note=form.cleaned_data["note"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            if getattr(error, "denied", False):
                return forbidden(request, str(error))
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("supervision:warning", pk=pk)
    return warning_page(request, pk, form=form, status=400)
