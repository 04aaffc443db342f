"""Staff actions on one case: their forms and services, and which ones this user may take now.

``available_actions`` is the state machine's list (``transitions.allowed_actions``)
narrowed to what this user's posts may do on the open task; the services check the
same again, and their refusal is shown next to the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govhall.cases.models import Case, CaseStep
from govhall.cases.services import applications, handling, transitions

from . import forms


@dataclass(frozen=True)
class Action:
    form: type
    run: Callable[[Case, object, object], object]


def materials(case: Case) -> list[tuple[str, str]]:
    """The item's materials as (key, name), the keys the applicant's correction uses."""
    seen, rows = set(), []
    for material in case.item_version.materials.all():
        key = applications.material_key(material)
        if key not in seen:
            seen.add(key)
            rows.append((key, material.name))
    return rows


def _text(form, name):
    return form.cleaned_data.get(name, "")


# In the order the case page shows them.
ACTIONS: dict[str, Action] = {
    "accept": Action(
        forms.AcceptForm, lambda c, u, f: handling.accept(c, u, opinion=_text(f, "opinion"))
    ),
    "request_correction": Action(
        forms.CorrectionForm,
        lambda c, u, f: handling.request_correction(c, u, items=f.items(), note=_text(f, "note")),
    ),
    "reject": Action(
        forms.RejectForm, lambda c, u, f: handling.reject(c, u, reason=_text(f, "reason"))
    ),
    "complete_step": Action(
        forms.CompleteStepForm,
        lambda c, u, f: handling.complete_step(c, u, opinion=_text(f, "opinion")),
    ),
    "decide": Action(
        forms.DecideForm,
        lambda c, u, f: handling.decide(
            c,
            u,
            decision=_text(f, "decision"),
            reason=_text(f, "reason"),
            opinion=_text(f, "opinion"),
        ),
    ),
    "return_step": Action(
        forms.ReturnStepForm,
        lambda c, u, f: handling.return_step(c, u, opinion=_text(f, "opinion")),
    ),
    "start_special": Action(
        forms.StartSpecialForm,
        lambda c, u, f: handling.start_special(
            c, u, kind=_text(f, "kind"), reason=_text(f, "reason")
        ),
    ),
    "end_special": Action(
        forms.EndSpecialForm,
        lambda c, u, f: handling.end_special(c, u, result=_text(f, "result")),
    ),
    "extend": Action(
        forms.ExtendForm,
        lambda c, u, f: handling.extend(
            c, u, days=_text(f, "days").strip() or None, reason=_text(f, "reason")
        ),
    ),
    "conclude": Action(
        forms.ConcludeForm,
        lambda c, u, f: handling.conclude(
            c,
            u,
            delivery=_text(f, "delivery"),
            result_number=_text(f, "result_number"),
            tracking_number=_text(f, "tracking_number"),
            fee=_text(f, "fee").strip() or None,
        ),
    ),
    "deliver": Action(
        forms.DeliverForm,
        lambda c, u, f: handling.deliver(
            c, u, collected_by=_text(f, "collected_by"), note=_text(f, "note")
        ),
    ),
}


def bind(name: str, case: Case, data=None):
    """The action's form, prefixed by its name so every form of the page has its own ids."""
    form_class = ACTIONS[name].form
    if form_class is forms.CorrectionForm:
        return form_class(data, prefix=name, materials=materials(case))
    initial = {"delivery": case.delivery} if form_class is forms.ConcludeForm else {}
    return form_class(data, prefix=name, initial=initial)


def label(name: str) -> str:
    return transitions.ACTION_LABELS.get(name, name)


# --- who may do what now ----------------------------------------------------------------


def available_actions(case: Case, user, step: CaseStep | None = None) -> list[str]:
    """The actions whose form this user sees on the case page now."""
    names = set(handling.actions_for(case, user, step))
    return [name for name in ACTIONS if name in names]
