"""The catalogue desk in the workbench: entering, editing, reviewing and publishing items.

Every view asks the services, which check the user's posts and scope; a refusal is a
403 page that says why, bad input re-renders the form with the field-level messages.
"""

from __future__ import annotations

import functools
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govhall.core import inputs
from govhall.core.errors import Refusal, deny
from govhall.regions.models import Region
from govhall.regions.services.scope import scope_of

from .. import forms
from ..models import ChangeRecord, Item, ItemVersion, Scenario
from ..services import documents, excel, guides, items, permissions, rates, scenarios, workflow

S = ItemVersion.State


def catalogue_staff(view):
    """Signed-in catalogue staff only; scope refusals from the services become a 403 page."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_catalogue_staff(request.user):
            return _forbidden(request, _("只有事项录入人员和事项审查人员可以使用事项管理。"))
        try:
            return view(request, *args, **kwargs)
        except Refusal as exc:
            if not exc.denied:
                raise
            return _forbidden(request, exc.message)

    return wrapper


def _flash(request, exc: Refusal) -> None:
    """A service refusal as messages; a scope refusal stays a 403 page (``catalogue_staff``)."""
    if exc.denied:
        raise exc
    for problem in exc.problems:
        messages.error(request, problem.message)


def _forbidden(request, message: str):
    return render(request, "catalog/staff/forbidden.html", {"message": message}, status=403)


def _item(request, code: str) -> Item:
    item = get_object_or_404(
        Item.objects.select_related("department", "region", "current"), implementation_code=code
    )
    if not permissions.visible_items(request.user).filter(pk=item.pk).exists():
        raise deny(_("事项“%(name)s”不在您的事项管理范围内。") % {"name": item.name})
    return item


def _version(request, pk: int) -> ItemVersion:
    version = get_object_or_404(ItemVersion.objects.select_related("item"), pk=pk)
    _item(request, version.item.implementation_code)
    return version


@catalogue_staff
def desk(request):
    """My catalogue: the versions waiting for me, then the items in my scope."""
    user = request.user
    visible = permissions.visible_items(user).select_related("department", "region", "current")
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if query:
        visible = visible.filter(Q(name__contains=query) | Q(implementation_code__contains=query))
    if status in Item.Status.values:
        visible = visible.filter(status=status)
    waiting = (
        ItemVersion.objects.filter(item__in=permissions.visible_items(user))
        .filter(state__in=[S.DRAFT, S.RETURNED, S.SUBMITTED, S.REVIEWED])
        .select_related("item__department")
        .order_by("-updated_at")
    )
    tasks = []
    for version in waiting[:200]:
        item = version.item
        if version.state in (S.SUBMITTED, S.REVIEWED) and permissions.can_review(user, item):
            tasks.append(version)
        elif version.state in (S.DRAFT, S.RETURNED) and permissions.can_edit(user, item.department):
            if version.state == S.RETURNED and item.versions.filter(number__gt=version.number):
                continue  # already being fixed in a newer draft
            tasks.append(version)
    page = Paginator(visible.order_by("region__code", "department__name", "basic_code"), 50)
    return render(
        request,
        "catalog/staff/desk.html",
        {
            "tasks": tasks,
            "page": page.get_page(request.GET.get("page")),
            "query": query,
            "status": status,
            "statuses": Item.Status.choices,
            "can_create": permissions.editable_departments(user).exists(),
            "nav": "desk",
        },
    )


@catalogue_staff
def item_create(request):
    departments = permissions.editable_departments(request.user).select_related("region")
    form = forms.ItemCreateForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = items.create_item(
                department=data["department"],
                name=data["name"],
                item_type=data["item_type"],
                basic_code=data["basic_code"] or None,
                parent=data["parent"] or None,
                actor=request.user,
            )
        except Refusal as exc:
            if exc.denied:
                raise
            for problem in exc.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, problem.message)
        else:
            messages.success(request, _("已录入事项，请填写办事指南内容。"))
            return redirect("catalog:version-edit", pk=item.latest_version.pk)
    return render(request, "catalog/staff/item_create.html", {"form": form, "nav": "create"})


@catalogue_staff
def item_detail(request, code: str):
    item = _item(request, code)
    versions = list(item.versions.order_by("-number"))
    return render(
        request,
        "catalog/staff/item.html",
        {
            "item": item,
            "versions": versions,
            "changes": ChangeRecord.objects.filter(item=item).select_related("version")[:50],
            "draft_form": forms.DraftForm(),
            "split_form": forms.SplitForm(prefix="split"),
            "merge_form": forms.MergeForm(prefix="merge"),
            "can_edit": permissions.can_edit(request.user, item.department),
            "has_open": any(v.state in items.OPEN_STATES for v in versions),
        },
    )


@catalogue_staff
@require_POST
def draft_create(request, code: str):
    item = _item(request, code)
    form = forms.DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择变更类型。"))
        return redirect("catalog:item", code=code)
    change_type = form.cleaned_data["change_type"]
    summary = form.cleaned_data["change_summary"]
    try:
        if change_type in ("suspend", "cancel"):
            version = items.request_change(item, change_type, summary, request.user)
            messages.success(request, _("已生成变更版本，请提交审查。"))
            return redirect("catalog:version", pk=version.pk)
        version = items.new_draft(
            item, request.user, change_type=change_type, change_summary=summary
        )
    except Refusal as exc:
        _flash(request, exc)
        return redirect("catalog:item", code=code)
    return redirect("catalog:version-edit", pk=version.pk)


def _flash_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@catalogue_staff
@require_POST
def item_split(request, code: str):
    item = _item(request, code)
    form = forms.SplitForm(request.POST, prefix="split")
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect("catalog:item", code=code)
    try:
        parts = items.split_item(
            item,
            [{"name": name} for name in form.cleaned_data["names"]],
            form.cleaned_data["change_summary"],
            request.user,
        )
    except Refusal as exc:
        _flash(request, exc)
        return redirect("catalog:item", code=code)
    messages.success(
        request, _("已生成%(n)d个拆分事项的草稿，发布第一个时原事项取消。") % {"n": len(parts)}
    )
    return redirect("catalog:desk")


@catalogue_staff
@require_POST
def item_merge(request, code: str):
    item = _item(request, code)
    form = forms.MergeForm(request.POST, prefix="merge")
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect("catalog:item", code=code)
    try:
        others = [_item(request, other) for other in form.cleaned_data["others"]]
        merged = items.merge_items(
            [item, *others],
            name=form.cleaned_data["name"],
            reason=form.cleaned_data["change_summary"],
            actor=request.user,
        )
    except Refusal as exc:
        _flash(request, exc)
        return redirect("catalog:item", code=code)
    except Http404:
        messages.error(request, _("合并的事项中有不存在的实施编码。"))
        return redirect("catalog:item", code=code)
    messages.success(request, _("已生成合并后事项的草稿，发布时被合并的事项取消。"))
    return redirect("catalog:version-edit", pk=merged.latest_version.pk)


@catalogue_staff
def version_edit(request, pk: int):
    version = _version(request, pk)
    permissions.require_edit(request.user, version.item.department)
    if not version.is_editable:
        messages.error(request, _("该版本已提交，不能再修改；请基于它新建版本。"))
        return redirect("catalog:version", pk=pk)
    editor = forms.VersionEditor(request.POST or None, initial=documents.content_document(version))
    if request.method == "POST" and editor.is_valid():
        try:
            items.save_draft(version, editor.document(), request.user)
        except Refusal as exc:
            if exc.denied:
                raise
            editor.add_problems(exc.problems)
        else:
            messages.success(request, _("草稿已保存。"))
            if "save_submit" in request.POST:
                return _submit(request, version)
            return redirect("catalog:version", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "catalog/staff/version_edit.html",
        {"version": version, "item": version.item, "editor": editor, "errors": editor.error_list()},
        status=status,
    )


def _submit(request, version):
    try:
        workflow.submit(version, request.user)
    except Refusal as exc:
        _flash(request, exc)
        return redirect("catalog:version", pk=version.pk)
    messages.success(request, _("已提交审查。"))
    return redirect("catalog:version", pk=version.pk)


@catalogue_staff
def version_detail(request, pk: int):
    version = _version(request, pk)
    item = version.item
    user = request.user
    allowed = set(workflow.allowed_actions(version))
    can_edit = permissions.can_edit(user, item.department)
    can_review = permissions.can_review(user, item)
    later = item.versions.filter(number__gt=version.number).exists()
    previous = item.versions.filter(number__lt=version.number).order_by("-number").first()
    return render(
        request,
        "catalog/staff/version.html",
        {
            "version": version,
            "item": item,
            "guide": guides.guide(version),
            "reviews": version.reviews.all(),
            "can_submit": can_edit and "submit" in allowed,
            "can_edit_content": can_edit and version.is_editable,
            "can_discard": can_edit and "discard" in allowed,
            "can_revise": can_edit and version.state == S.RETURNED and not later,
            "can_review": can_review and bool(allowed & {"approve", "return"}),
            "can_approve": can_review and "approve" in allowed,
            "can_publish": can_review and "publish" in allowed,
            "review_form": forms.ReviewForm(),
            "previous": previous,
        },
    )


@catalogue_staff
@require_POST
def version_action(request, pk: int, action: str):
    version = _version(request, pk)
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    comment = data.get("comment", "")
    try:
        if action == "submit":
            return _submit(request, version)
        if action == "return":
            workflow.return_version(
                version,
                request.user,
                comment,
                legality_ok=data.get("legality_ok"),
                compliance_ok=data.get("compliance_ok"),
            )
            messages.success(request, _("已退回修改。"))
        elif action == "approve":
            workflow.approve(
                version,
                request.user,
                comment,
                legality_ok=data.get("legality_ok", False),
                compliance_ok=data.get("compliance_ok", False),
            )
            messages.success(request, _("审查通过，可以发布。"))
        elif action == "publish":
            workflow.publish(version, request.user, comment)
            messages.success(request, _("已发布，新版本即时生效。"))
        elif action == "discard":
            workflow.discard(version, request.user, comment)
            messages.success(request, _("草稿已作废。"))
        elif action == "revise":
            draft = items.new_draft(version.item, request.user, based_on=version)
            return redirect("catalog:version-edit", pk=draft.pk)
        else:
            raise Http404("没有这个操作")
    except Refusal as exc:
        _flash(request, exc)
    return redirect("catalog:version", pk=pk)


@catalogue_staff
def diff(request, code: str):
    item = _item(request, code)
    versions = list(item.versions.order_by("number"))
    numbers = [v.number for v in versions]
    try:
        new = int(request.GET.get("to") or numbers[-1])
        old = int(request.GET.get("from") or (new - 1 if new > 1 else new))
    except ValueError:
        raise Http404("版本号无效") from None
    by_number = {v.number: v for v in versions}
    if old not in by_number or new not in by_number:
        raise Http404("没有这个版本")
    changes = documents.diff(
        documents.content_document(by_number[old]), documents.content_document(by_number[new])
    )
    return render(
        request,
        "catalog/staff/diff.html",
        {
            "item": item,
            "old": by_number[old],
            "new": by_number[new],
            "changes": changes,
            "versions": versions,
        },
    )


@catalogue_staff
def manual(request, code: str):
    """业务手册: what staff follow (steps with criteria, posts, limits, integrity risks)."""
    item = _item(request, code)
    number = request.GET.get("v")
    version = item.current or item.latest_version
    if number and number.isdigit():
        version = get_object_or_404(item.versions, number=int(number))
    return render(
        request,
        "catalog/staff/manual.html",
        {"item": item, "version": version, "guide": guides.guide(version)},
    )


@catalogue_staff
def export_json(request, code: str):
    """JSON export of an item's newest version, business-manual fields included."""
    item = _item(request, code)
    version = item.current or item.latest_version
    body = json.dumps(documents.version_document(version), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{item.implementation_code}-v{version.number}.json"'
    )
    return response


@catalogue_staff
@require_POST
def confirm(request):
    ids = request.POST.getlist("item")
    selected = list(permissions.visible_items(request.user).filter(pk__in=ids))
    try:
        count = items.confirm_catalogue(selected, request.user)
    except Refusal as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已确认%(n)d个事项。") % {"n": count})
    return redirect("catalog:desk")


@catalogue_staff
def import_items(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    problems = []
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = excel.import_workbook(
                form.cleaned_data["file"],
                actor=request.user,
                publish=form.cleaned_data["publish"],
            )
        except excel.ImportFailed as exc:
            problems = exc.cells
        else:
            messages.success(
                request,
                _("导入完成：新增%(c)d个、变更%(u)d个、未变%(n)d个事项。")
                % {"c": len(report.created), "u": len(report.updated), "n": len(report.unchanged)},
            )
            return redirect("catalog:desk")
    status = 400 if problems or (request.method == "POST" and not form.is_valid()) else 200
    return render(
        request,
        "catalog/staff/import.html",
        {"form": form, "problems": problems, "nav": "import"},
        status=status,
    )


@catalogue_staff
def export_items(request):
    visible = permissions.visible_items(request.user).exclude(current=None)
    department = request.GET.get("department")
    if department:
        visible = visible.filter(department__credit_code=department)
    content = excel.export_workbook(visible)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="catalog.xlsx"'
    return response


@catalogue_staff
def rates_view(request):
    code = request.GET.get("region", "")
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        posts = scope_of(request.user).posts
        region = Region.objects.filter(code=posts[0].region_code).first() if posts else None
        region = region or Region.objects.filter(parent=None).first()
    return render(
        request,
        "catalog/staff/rates.html",
        {
            "region": region,
            "rows": rates.rates_by_child_region(region) if region else [],
            "up": region.parent if region else None,
            "nav": "rates",
        },
    )


@catalogue_staff
def scenario_list(request):
    rows = [
        (scenario, scenarios.can_maintain(request.user, scenario.region_id))
        for scenario in Scenario.objects.select_related("region", "life_event").order_by(
            "sort_order", "code"
        )
    ]
    return render(request, "catalog/staff/scenarios.html", {"rows": rows, "nav": "scenarios"})


@catalogue_staff
def scenario_edit(request, code: str):
    """Edit a scenario tree as its JSON document (the shape of docs/catalog.md)."""
    scenario = get_object_or_404(Scenario, code=code)
    if not scenarios.can_maintain(request.user, scenario.region_id):
        raise deny(_("只有该情形引导所属区划的事项审查人员可以维护它。"))
    text = json.dumps(scenarios.scenario_document(scenario), ensure_ascii=False, indent=2)
    problems: list[str] = []
    if request.method == "POST":
        text = request.POST.get("document", "")
        try:
            doc = inputs.loads(text)
            if not isinstance(doc, dict):
                raise ValueError(_("文档须为JSON对象。"))
        except json.JSONDecodeError as exc:
            problems.append(
                _("JSON格式错误：第%(line)d行第%(col)d列，%(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            )
        except ValueError as exc:
            problems.append(str(exc))
        else:
            doc["code"] = code
            try:
                scenarios.save_scenario_as(request.user, doc)
            except Refusal as exc:
                if exc.denied:
                    raise
                problems += [f"{p.field}：{p.message}" for p in exc.problems]
            else:
                messages.success(request, _("情形引导已保存。"))
                return redirect("catalog:desk-scenario-edit", code=code)
    return render(
        request,
        "catalog/staff/scenario_edit.html",
        {"scenario": scenario, "text": text, "problems": problems, "nav": "scenarios"},
        status=400 if problems else 200,
    )
