"""The licence desk (电子证照): licences my departments issued and their lifecycle
(加注, 延续, 变更, 注销), the licence-type catalogue editor, and key rotation.

Every licence is looked up in the user's reach (``catalogue.staff_licences``) first, so
one issued elsewhere is a 404 on every page; the services check the issuer again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govhall.licences.models import IssuerKey, Licence, LicenceState, LicenceType
from govhall.licences.services import catalogue, issuing, signing
from govhall.workbench.gate import apply_errors, forbidden, staff_only

from . import forms

PAGE_SIZE = 50
ACTIONS = {
    "annotate": gettext_lazy("加注"),
    "renew": gettext_lazy("延续"),
    "change": gettext_lazy("变更"),
    "revoke": gettext_lazy("注销"),
}


def _licence(user, pk: int) -> Licence:
    licence = catalogue.staff_licences(user).select_related("issuer__region").filter(pk=pk).first()
    if licence is None:
        raise Http404
    return licence


# --- licences -------------------------------------------------------------------------


@staff_only
def licence_list(request):
    rows = catalogue.staff_licences(request.user)
    type_code = request.GET.get("type", "").strip()
    if type_code:
        rows = rows.filter(type__code=type_code)
    state = request.GET.get("state", "")
    if state in LicenceState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        rows = rows.filter(Q(number__icontains=query) | Q(holder_name__icontains=query))
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = {k: v for k, v in {"type": type_code, "state": state, "q": query}.items() if v}
    return render(
        request,
        "licences/staff/desk/list.html",
        {
            "page": page,
            "types": LicenceType.objects.filter(licences__in=catalogue.staff_licences(request.user))
            .distinct()
            .order_by("name"),
            "type_code": type_code,
            "states": LicenceState.choices,
            "state": state,
            "query": query,
            "params": f"{urlencode(kept)}&" if kept else "",
            "nav": "licences",
        },
    )


def _available(licence: Licence) -> list[str]:
    """The actions that make sense now (the services refuse the others anyway)."""
    if licence.state == LicenceState.REVOKED:
        return []
    if licence.state == LicenceState.EXPIRED:
        return ["renew", "annotate", "revoke"]
    return ["annotate", "renew", "change", "revoke"]


def _form(action: str, licence: Licence, data=None):
    if action == "change":
        return forms.ChangeForm(data, licence=licence, prefix=action)
    form_class = {
        "annotate": forms.AnnotateForm,
        "renew": forms.RenewForm,
        "revoke": forms.RevokeForm,
    }[action]
    return form_class(data, prefix=action)


def _data_rows(licence: Licence) -> list[tuple[str, str]]:
    """The current metadata under the type's labels (unknown keys under their names)."""
    data = dict(licence.current.data or {})
    rows = [
        (field.get("label") or field["name"], data.pop(field["name"]))
        for field in licence.type.fields or []
        if field["name"] in data
    ]
    return rows + sorted(data.items())


def _render_detail(request, licence, *, bound=None, status=200):
    available = _available(licence)
    action_forms = {name: _form(name, licence) for name in available}
    if bound is not None:
        action_forms[bound[0]] = bound[1]
    return render(
        request,
        "licences/staff/desk/detail.html",
        {
            "licence": licence,
            "data_rows": _data_rows(licence),
            "versions": licence.versions.select_related("key", "issued_by").order_by("-version"),
            "action_forms": [(name, ACTIONS[name], form) for name, form in action_forms.items()],
            "bound_form": bound[1] if bound is not None else None,
            "nav": "licences",
        },
        status=status,
    )


@staff_only
def licence_detail(request, pk: int):
    return _render_detail(request, _licence(request.user, pk))


def _run(action: str, licence: Licence, user, form) -> None:
    data = form.cleaned_data
    if action == "annotate":
        issuing.annotate(
            licence,
            user,
            text=data["text"],
            reason=data["reason"],
            valid_until=data["valid_until"],
        )
    elif action == "renew":
        issuing.renew(licence, user, valid_until=data["valid_until"], reason=data["reason"])
    elif action == "change":
        issuing.change(
            licence,
            user,
            data=form.metadata(),
            holder_name=data["holder_name"],
            reason=data["reason"],
        )
    else:
        issuing.revoke(licence, user, reason=data["reason"])


@staff_only
@require_POST
def licence_action(request, pk: int, action: str):
    """Run one action; 注销 first shows a confirmation page, then runs on its second post."""
    licence = _licence(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form = _form(action, licence, request.POST)
    if form.is_valid():
        if action == "revoke" and not form.cleaned_data["confirm"]:
            if not form.cleaned_data["reason"].strip():
                form.add_error("reason", _("请填写“原因”。"))
            else:
                return render(
                    request,
                    "licences/staff/desk/revoke_confirm.html",
                    {"licence": licence, "reason": form.cleaned_data["reason"], "nav": "licences"},
                )
        else:
            try:
                _run(action, licence, request.user, form)
            except ValidationError as error:
                apply_errors(form, error, getattr(form, "field_for", None))
            else:
                messages.success(
                    request,
                    _("证照%(number)s：已%(action)s，已签发新版本。")
                    % {"number": licence.number, "action": ACTIONS[action]},
                )
                return redirect("workbench:licences-detail", pk=licence.pk)
    return _render_detail(request, licence, bound=(action, form), status=400)


# --- licence types ----------------------------------------------------------------------


@staff_only
def type_list(request):
    query = request.GET.get("q", "").strip()[:50]
    rows = LicenceType.objects.all().order_by("name", "code")
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(code__icontains=query))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "licences/staff/desk/types.html",
        {
            "page": page,
            "query": query,
            "params": f"{urlencode({'q': query})}&" if query else "",
            "can_edit": catalogue.can_edit_types(request.user),
            "nav": "licences",
        },
    )


def _type_page(request, licence_type: LicenceType | None):
    can_edit = catalogue.can_edit_types(request.user)
    if request.method == "POST":
        if not can_edit:
            return forbidden(request, _("只有大厅管理员可以编辑电子证照目录。"))
        form = forms.LicenceTypeForm(request.POST)
        if form.is_valid():
            try:
                saved = catalogue.save_type(request.user, form.values(), licence_type)
            except ValidationError as error:
                apply_errors(form, error, lambda key: form.FIELD_FOR.get(key, key))
            else:
                messages.success(request, _("已保存证照类型“%(name)s”。") % {"name": saved.name})
                return redirect("workbench:licences-type", pk=saved.pk)
        status = 400
    else:
        if licence_type is None and not can_edit:
            return forbidden(request, _("只有大厅管理员可以编辑电子证照目录。"))
        initial = forms.LicenceTypeForm.initial_for(licence_type) if licence_type else None
        form = forms.LicenceTypeForm(initial=initial)
        status = 200
    return render(
        request,
        "licences/staff/desk/type_form.html",
        {
            "form": form,
            "type": licence_type,
            "can_edit": can_edit,
            "licence_count": licence_type.licences.count() if licence_type else 0,
            "nav": "licences",
        },
        status=status,
    )


@staff_only
def type_new(request):
    return _type_page(request, None)


@staff_only
def type_edit(request, pk: int):
    return _type_page(request, get_object_or_404(LicenceType, pk=pk))


# --- issuer keys ------------------------------------------------------------------------


def _render_keys(request, bound=None, status: int = 200):
    departments = catalogue.key_departments(request.user).order_by("region__code", "name")
    keys_by_department: dict[int, list[IssuerKey]] = {}
    for key in IssuerKey.objects.filter(department__in=departments).order_by("-created_at"):
        keys_by_department.setdefault(key.department_id, []).append(key)
    rows = []
    for department in departments:
        form = bound[1] if bound and bound[0] == department.pk else None
        rows.append(
            (
                department,
                keys_by_department.get(department.pk, []),
                catalogue.can_rotate_key(request.user, department),
                form or forms.RotateForm(prefix=f"rotate-{department.pk}"),
            )
        )
    return render(
        request,
        "licences/staff/desk/keys.html",
        {"rows": rows, "bound_form": bound[1] if bound else None, "nav": "licences"},
        status=status,
    )


@staff_only
def keys(request):
    return _render_keys(request)


@staff_only
@require_POST
def key_rotate(request, department_pk: int):
    department = catalogue.key_departments(request.user).filter(pk=department_pk).first()
    if department is None:
        raise Http404
    if not catalogue.can_rotate_key(request.user, department):
        return forbidden(request, _("只有本部门的审批人员或大厅管理员可以轮换签发密钥。"))
    form = forms.RotateForm(request.POST, prefix=f"rotate-{department.pk}")
    if not form.is_valid():
        return _render_keys(request, bound=(department.pk, form), status=400)
    key = signing.rotate(department, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _("%(dept)s的签发密钥已轮换，新密钥标识 %(key)s；旧密钥已停用并继续公示。")
        % {"dept": department.name, "key": key.key_id},
    )
    return redirect("workbench:licences-keys")
