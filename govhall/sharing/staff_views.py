"""Staff pages of the sharing catalogue (共享目录), for the departments' staff.

A staff member sees the catalogue, the requests their departments made and those made to
them, and the reads at both ends; they request for a department where they hold a post;
the owner department's approvers and hall administrators approve, refuse and revoke, and
register and edit their department's resources. An approval or resource outside the
user's departments is a 404.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.catalog.models import Item
from govhall.core.errors import problems_of
from govhall.regions.services.scope import scope_of
from govhall.workbench.gate import apply_errors, forbidden, staff_gate

from .models import Approval, Library, Resource, SharedRead, SharingType, UpdateCycle
from .services import approvals, reads, resources
from .services.sources import Attribute

staff_only = staff_gate(lambda: _("只有在岗的工作人员可以使用共享目录。"))
LISTED = 100


def _department_ids(user) -> set[int]:
    scope = scope_of(user)
    return set(scope.department_ids)


@staff_only
def index(request):
    ids = _department_ids(request.user)
    visible = approvals.visible_approvals(request.user).prefetch_related("resource__fields")
    outgoing = [a for a in visible[: LISTED * 2] if a.requester_id in ids]
    incoming = [a for a in visible[: LISTED * 2] if a.resource.owner_id in ids]
    log = (
        SharedRead.objects.filter(requester_id__in=ids)
        | SharedRead.objects.filter(owner_id__in=ids)
    ).select_related("resource", "requester", "owner")[:LISTED]
    log = _with_field_names(list(log))
    return render(
        request,
        "sharing/staff/index.html",
        {
            # Stopped resources stay listed for their owners, to be turned back on.
            "resources": Resource.objects.filter(
                Q(is_active=True) | Q(owner__in=resources.registering_departments(request.user))
            )
            .select_related("owner")
            .prefetch_related("fields"),
            "outgoing": outgoing[:LISTED],
            "incoming": sorted(
                incoming[:LISTED], key=lambda a: (a.status != Approval.Status.PENDING, a.decide_by)
            ),
            "log": log,
            "made_counts": reads.refused_counts(ids),
            "served_counts": reads.refused_counts(ids, as_owner=True),
            "deciding": approvals.deciding_department_ids(request.user),
            "registering": set(
                resources.registering_departments(request.user).values_list("pk", flat=True)
            ),
            "nav": "sharing",
        },
    )


def _with_field_names(rows: list[SharedRead]) -> list[SharedRead]:
    """Each read's returned items by name (``field_names``), as both ends read them."""
    names: dict[int, dict[str, str]] = {}
    for row in rows:
        if row.resource_id not in names:
            names[row.resource_id] = dict(row.resource.fields.values_list("code", "name"))
        row.field_names = [names[row.resource_id].get(c, c) for c in row.fields]
    return rows


class RequestForm(forms.Form):
    requester = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("申请部门"), empty_label=None
    )
    resource = forms.ModelChoiceField(queryset=None, label=gettext_lazy("共享资源"))
    fields_wanted = forms.MultipleChoiceField(
        label=gettext_lazy("申请数据项"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    purpose = forms.CharField(
        label=gettext_lazy("使用用途"),
        max_length=200,
        help_text=gettext_lazy("办件中使用时填写所办事项的名称，例如“最低生活保障审批”。"),
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("申请依据"), widget=forms.Textarea(attrs={"rows": 3})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("有效期至"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, user, *args, resource=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = approvals.requesting_departments(user).order_by("pk")
        resources = Resource.objects.filter(is_active=True).select_related("owner")
        self.fields["resource"].queryset = resources
        chosen = resource or resources.filter(pk=self.data.get("resource") or 0).first()
        if chosen is not None:
            self.fields["resource"].initial = chosen.pk
            self.fields["fields_wanted"].choices = [(f.code, f.name) for f in chosen.fields.all()]
        self.fields["valid_until"].initial = timezone.localdate() + datetime.timedelta(days=365)


@staff_only
def request_new(request):
    if not approvals.requesting_departments(request.user).exists():
        raise Http404
    code = request.GET.get("resource") or request.POST.get("resource_code", "")
    resource = Resource.objects.filter(code=code, is_active=True).first() if code else None
    form = RequestForm(request.user, request.POST or None, resource=resource)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            approval = approvals.request_access(
                request.user,
                requester=data["requester"],
                resource=data["resource"],
                fields=data["fields_wanted"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
                valid_until=data["valid_until"],
            )
        except ValidationError as error:
            problems = [p.message for p in problems_of(error)]
        else:
            return HttpResponseRedirect(
                reverse("sharing:staff-approval", kwargs={"public_id": approval.public_id})
            )
    items = (
        Item.objects.filter(department__in=approvals.requesting_departments(request.user))
        .values_list("name", flat=True)
        .distinct()[:200]
    )
    return render(
        request,
        "sharing/staff/request.html",
        {
            "form": form,
            "resource": resource,
            "problems": problems,
            "item_names": sorted(set(items)),
            "nav": "sharing",
        },
    )


@staff_only
def approval_page(request, public_id):
    try:
        approval = approvals.approval_for(request.user, public_id)
    except Approval.DoesNotExist:
        raise Http404 from None
    problems: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        note = request.POST.get("note", "")
        try:
            if action == "approve":
                approvals.approve(request.user, approval, note=note)
            elif action == "refuse":
                approvals.refuse_request(request.user, approval, note=note)
            elif action == "revoke":
                approvals.revoke(request.user, approval, reason=note)
            else:
                raise Http404
        except ValidationError as error:
            problems = [p.message for p in problems_of(error)]
        else:
            return HttpResponseRedirect(request.path)
        approval.refresh_from_db()
    reads_made = _with_field_names(list(approval.reads.select_related("resource")[:LISTED]))
    refused = SharedRead.objects.filter(
        requester_id=approval.requester_id,
        resource_id=approval.resource_id,
        outcome=SharedRead.Outcome.REFUSED,
    ).count()
    return render(
        request,
        "sharing/staff/approval.html",
        {
            "approval": approval,
            "field_names": approvals.field_names(approval),
            "can_decide": approvals.can_decide(request.user, approval),
            "problems": problems,
            "reads": reads_made,
            "refused": refused,
            "nav": "sharing",
        },
    )


# --- registering resources (共享资源编目) ---------------------------------------------------


class ResourceForm(forms.Form):
    """Every field optional here: the service checks them all at once and names each in
    Chinese (``resources.save``)."""

    code = forms.CharField(
        label=gettext_lazy("资源代码"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("字母、数字、点和连字符，例如 RK-HYDJ；事项材料以此代码关联资源。"),
    )
    name = forms.CharField(label=gettext_lazy("资源名称"), required=False, max_length=100)
    description = forms.CharField(
        label=gettext_lazy("资源摘要"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    items = forms.MultipleChoiceField(
        label=gettext_lazy("数据项"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sharing_type = forms.ChoiceField(
        label=gettext_lazy("共享类型"),
        required=False,
        choices=SharingType.choices,
        widget=forms.RadioSelect,
        initial=SharingType.CONDITIONAL,
    )
    sharing_condition = forms.CharField(
        label=gettext_lazy("共享条件"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("有条件共享时必填，例如“仅用于社会救助审核”。"),
    )
    update_cycle = forms.ChoiceField(
        label=gettext_lazy("更新周期"), required=False, choices=UpdateCycle.choices
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("共享依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("法律法规或政策文件；不予共享时写明不予共享的依据。"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)

    def __init__(self, *args, offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(a.code, f"{a.name}（{a.code}）") for a in offered or []]


def _field_for(key: str) -> str:
    return "items" if key == "fields" or key.startswith("fields.") else key


def _resource_page(request, resource: Resource | None):
    allowed = resources.registering_departments(request.user).order_by("pk")
    if resource is not None:
        owner, library = resource.owner, resource.library
    else:
        owner = allowed.filter(pk=(request.POST or request.GET).get("owner") or 0).first()
        library = (request.POST or request.GET).get("library") or ""
        if owner is None or library not in Library.values:
            return render(  # first: which department's resource, of which library
                request,
                "sharing/staff/resource_start.html",
                {"departments": allowed, "libraries": Library.choices, "nav": "sharing"},
            )
    offered = resources.offered_attributes(library, owner) or []
    if resource is not None:  # items no longer offered stay visible, to be removed
        codes = {a.code for a in offered}
        offered += [
            Attribute(f.code, f.name, owner.pk)
            for f in resource.fields.all()
            if f.code not in codes
        ]
    initial = None
    if resource is not None:
        initial = {
            "code": resource.code,
            "name": resource.name,
            "description": resource.description,
            "items": list(resource.fields.values_list("code", flat=True)),
            "sharing_type": resource.sharing_type,
            "sharing_condition": resource.sharing_condition,
            "update_cycle": resource.update_cycle,
            "legal_basis": resource.legal_basis,
            "is_active": resource.is_active,
        }
    form = ResourceForm(request.POST or None, initial=initial, offered=offered)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = set(data["items"])
        try:
            saved = resources.save(
                request.user,
                resources.ResourceData(
                    code=data["code"].strip(),
                    name=data["name"].strip(),
                    owner=owner,
                    library=library,
                    sharing_type=data["sharing_type"],
                    update_cycle=data["update_cycle"],
                    legal_basis=data["legal_basis"].strip(),
                    fields=[a.code for a in offered if a.code in chosen],
                    description=data["description"].strip(),
                    sharing_condition=data["sharing_condition"].strip(),
                    is_active=data["is_active"],
                ),
                resource=resource,
            )
        except ValidationError as error:
            if any(p.code == "permission_denied" for p in problems_of(error)):
                return forbidden(request, problems_of(error)[0].message)
            apply_errors(form, error, _field_for)
        else:
            return HttpResponseRedirect(
                reverse("sharing:staff-resource-edit", kwargs={"code": saved.code}) + "?saved=1"
            )
    return render(
        request,
        "sharing/staff/resource.html",
        {
            "form": form,
            "resource": resource,
            "owner": owner,
            "library": library,
            "library_label": Library(library).label,
            "offered": offered,
            "saved": request.GET.get("saved") == "1",
            "nav": "sharing",
        },
    )


@staff_only
def resource_new(request):
    if not resources.registering_departments(request.user).exists():
        return forbidden(request, _("只有提供部门的审批人员或大厅管理员可以登记共享资源。"))
    return _resource_page(request, None)


@staff_only
def resource_edit(request, code: str):
    resource = resources.editable(request.user).filter(code=code).select_related("owner").first()
    if resource is None:
        raise Http404
    return _resource_page(request, resource)
