"""Staff actions on one case: the form of each action of the registry
(``govhall.cases.services.actions``), and which of them this user may take now.

What is offered is the registry's offer (the guards the services enforce); the form's
``arguments()`` go to the action's service, whose refusal is shown next to the field it
names.
"""

from __future__ import annotations

from govhall.cases.models import Case, CaseStep
from govhall.cases.services import actions, applications

from . import forms

# The form of each staff action (the page shows them in the registry's order).
FORMS: dict[str, type[forms.ActionForm]] = {
    "accept": forms.AcceptForm,
    "request_correction": forms.CorrectionForm,
    "reject": forms.RejectForm,
    "complete_step": forms.CompleteStepForm,
    "decide": forms.DecideForm,
    "return_step": forms.ReturnStepForm,
    "start_special": forms.StartSpecialForm,
    "end_special": forms.EndSpecialForm,
    "extend": forms.ExtendForm,
    "conclude": forms.ConcludeForm,
    "deliver": forms.DeliverForm,
}


def materials(case: Case) -> list[tuple[str, str]]:
    """The item's materials as (key, name), the keys the applicant's correction uses."""
    seen, rows = set(), []
    for material in case.item_version.materials.all():
        key = applications.material_key(material)
        if key not in seen:
            seen.add(key)
            rows.append((key, material.name))
    return rows


def bind(name: str, case: Case, data=None):
    """The action's form, prefixed by its name so every form of the page has its own ids."""
    form_class = FORMS[name]
    if form_class is forms.CorrectionForm:
        return form_class(data, prefix=name, materials=materials(case))
    initial = {"delivery": case.delivery} if form_class is forms.ConcludeForm else {}
    return form_class(data, prefix=name, initial=initial)


def run(name: str, case: Case, user, form: forms.ActionForm):
    return actions.get(name).run(case, user, **form.arguments())


def label(name: str, step: CaseStep | None) -> str:
    """The action's label as the holder of ``step`` sees it (审核通过 for a reviewer …)."""
    return actions.get(name).label_for(step)


# --- who may do what now ----------------------------------------------------------------


def available(case: Case, user, step: CaseStep | None) -> list[actions.Offer]:
    """The actions whose form this user sees on the case page now (``step``: the open
    task, read by the caller)."""
    return [o for o in actions.offered(case, user, step, task_known=True) if o.action.name in FORMS]
