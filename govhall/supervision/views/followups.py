"""差评回访整改 pages under /workbench/supervision/follow-ups/: the bad ratings of the
user's departments (or region), the 回访 and the rectification."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govhall.workbench.gate import forbidden

from ..models import FollowUpState
from ..services import followups
from .warnings import staff_only


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


@staff_only
def follow_up_list(request):
    rows = followups.visible(request.user)
    state = request.GET.get("state", "")
    if state in FollowUpState.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "supervision/follow_ups.html",
        {
            "nav": "supervision",
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "state": state,
            "states": FollowUpState.choices,
            "figures": followups.figures(followups.visible(request.user)),
        },
    )


def _visible(user, pk: int):
    follow_up = followups.visible(user).filter(pk=pk).first()
    if follow_up is None:
        raise Http404
    return follow_up


@staff_only
def follow_up_page(request, pk: int, form=None, status=200):
    follow_up = _visible(request.user, pk)
    return render(
        request,
        "supervision/follow_up.html",
        {"nav": "supervision", "f": follow_up, "form": form or NoteForm()},
        status=status,
    )


ACTIONS = {"callback": followups.record_callback, "rectify": followups.rectify}


@require_POST
@staff_only
def follow_up_action(request, pk: int, action: str):
    follow_up = _visible(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            ACTIONS[action](request.user, follow_up, form.cleaned_data["note"])
        except ValidationError as error:
            if getattr(error, "denied", False):
                return forbidden(request, str(error))
            form.add_error(None, error.messages)
        else:
            return redirect("supervision:follow-up", pk=pk)
    return follow_up_page(request, pk, form=form, status=400)
