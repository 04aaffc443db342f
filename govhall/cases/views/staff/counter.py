"""The one-door counter (综合窗口): find or open the person, pick an item, take it.

The counter remembers, in the clerk's session, which department's window they sit at
and whom they are serving; the ID number itself is only ever posted, never put in a URL,
and is shown masked. Taking the application is ``counter.take_application`` (one
visit counted, scans into the person's locker, usually accepted on the spot); the case
then continues in the responsible department's inbox.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from govhall.accounts.models import Person
from govhall.cases.services import counter, facts
from govhall.catalog.models import Item
from govhall.regions.models import Level
from govhall.workbench.gate import apply_errors, forbidden, staff_only

from .common import scoped_case
from .counter_forms import DepartmentForm, FindPersonForm, IntakeForm, OpenAccountForm

SESSION_KEY = "workbench_counter"
MAX_ITEMS = 50


def _session(request) -> dict:
    return dict(request.session.get(SESSION_KEY) or {})


def _remember(request, **values) -> None:
    state = _session(request)
    state.update(values)
    request.session[SESSION_KEY] = {k: v for k, v in state.items() if v is not None}


def desk_of(request):
    """(counter departments, the chosen one or None, the person being served or None)."""
    departments = counter.counter_departments(request.user)
    state = _session(request)
    chosen = next((d for d in departments if d.pk == state.get("department")), None)
    if chosen is None and len(departments) == 1:
        chosen = departments[0]
    person = None
    if state.get("person"):
        person = Person.objects.select_related("user").filter(pk=state["person"]).first()
    return departments, chosen, person


def takeable_items(department, query: str) -> list[Item]:
    """Published items this window may take (全城通办: its city and the province)."""
    items = (
        Item.objects.published()
        .filter(
            Q(region__code__startswith=department.region_id[:4]) | Q(region__level=Level.PROVINCE)
        )
        .select_related("department", "region")
    )
    if query:
        items = items.filter(name__contains=query)
    return [i for i in items.order_by("name", "pk")[:MAX_ITEMS] if counter.may_take(department, i)]


@staff_only
def counter_home(request):
    departments, department, person = desk_of(request)
    if not departments:
        return forbidden(request, _("只有窗口受理人员可以使用综合窗口。"))
    department_form = DepartmentForm(
        prefix="desk",
        departments=departments,
        initial={"department": getattr(department, "pk", None)},
    )
    find_form = FindPersonForm(prefix="find")
    open_form = OpenAccountForm(prefix="open")
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "department":
            department_form = DepartmentForm(request.POST, prefix="desk", departments=departments)
            if department_form.is_valid():
                _remember(request, department=department_form.cleaned_data["department"])
                return redirect("workbench:counter")
        elif step == "clear":
            _remember(request, person=None)
            return redirect("workbench:counter")
        elif step == "find":
            find_form = FindPersonForm(request.POST, prefix="find")
            if find_form.is_valid():
                try:
                    found = counter.find_person(
                        find_form.cleaned_data["id_number"],
                        clerk=request.user,
                        department=department,
                    )
                except ValidationError as error:
                    apply_errors(find_form, error)
                else:
                    if found is not None:
                        return _serve(request, found, _("已找到办事人"))
                    messages.info(request, _("未找到该身份证号码的账号，请核验身份证后为其开户。"))
                    open_form = OpenAccountForm(
                        prefix="open", initial={"id_number": find_form.cleaned_data["id_number"]}
                    )
        elif step == "open" and department is not None:
            open_form = OpenAccountForm(request.POST, prefix="open")
            if open_form.is_valid():
                data = open_form.cleaned_data
                try:
                    opened = counter.open_account(
                        request.user,
                        department,
                        id_number=data["id_number"],
                        name=data["name"],
                        mobile=data["mobile"],
                    )
                except ValidationError as error:
                    apply_errors(open_form, error)
                else:
                    return _serve(request, opened, _("已为办事人开户并完成窗口实名核验"))
        status = 400 if any(f.errors for f in (department_form, find_form, open_form)) else 200
    query = request.GET.get("q", "").strip()[:50]
    ready = department is not None and person is not None
    return render(
        request,
        "cases/staff/counter/home.html",
        {
            "departments": departments,
            "department": department,
            "person": person,
            "department_form": department_form,
            "find_form": find_form,
            "open_form": open_form,
            "query": query,
            "items": takeable_items(department, query) if ready and "q" in request.GET else None,
            "nav": "counter",
        },
        status=status,
    )


def _serve(request, person: Person, said: str):
    _remember(request, person=person.pk)
    messages.success(
        request,
        _("%(said)s：%(name)s（%(id)s）。")
        % {"said": said, "name": person.name, "id": person.masked_id_number},
    )
    return redirect("workbench:counter")


@staff_only
def counter_intake(request, code: str):
    departments, department, person = desk_of(request)
    if not departments:
        return forbidden(request, _("只有窗口受理人员可以使用综合窗口。"))
    if department is None or person is None:
        messages.error(request, _("请先选择窗口部门并查找办事人。"))
        return redirect("workbench:counter")
    item = (
        Item.objects.published()
        .select_related("current", "department", "region")
        .filter(implementation_code=code)
        .first()
    )
    if item is None or not counter.may_take(department, item):
        raise Http404
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        version=item.current,
        held=facts.held_licences(person),
        initial={"contact_phone": person.user.mobile or ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = counter.take_application(
                request.user,
                department,
                person=person,
                item=item,
                answers=form.answers(),
                contact_phone=form.cleaned_data["contact_phone"].strip(),
                scans=form.scans(),
                paper_checked=form.paper_checked(),
                accept_now=form.cleaned_data["accept_now"],
                licence_consent=bool(form.cleaned_data.get("licence_consent")),
            )
        except ValidationError as error:
            apply_errors(form, error, field_for=form.field_for)
        else:
            messages.success(request, _("已收件，办件编号%(number)s。") % {"number": case.number})
            return redirect("workbench:counter-taken", number=case.number)
    return render(
        request,
        "cases/staff/counter/intake.html",
        {"item": item, "department": department, "person": person, "form": form, "nav": "counter"},
        status=400 if form.errors else 200,
    )


@staff_only
def counter_taken(request, number: str):
    case = scoped_case(request.user, number)
    return render(request, "cases/staff/counter/taken.html", {"case": case, "nav": "counter"})
