"""Staff pages of the base libraries: the catalogue, the thematic libraries and their
members, conflicts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govhall.workbench.gate import forbidden, staff_gate

from .models import AttributeDefinition, Conflict, Library, ThemeLibrary
from .services import conflicts, themes
from .services.library import MODEL_OF

staff_only = staff_gate(lambda: _("只有在岗的工作人员可以查看基础信息库。"))


def _size(model) -> int:
    """Entries in a library: PostgreSQL's estimate (exact counts of ten million rows take
    seconds), an exact count elsewhere or for small tables."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [model._meta.db_table],
            )
            row = cursor.fetchone()
        if row and row[0] > 100_000:
            return int(row[0])
    return model.objects.count()


@staff_only
@require_GET
def overview(request):
    attributes = AttributeDefinition.objects.filter(is_active=True).select_related("owner")
    libraries = [
        {
            "key": library.value,
            "label": library.label,
            "size": _size(MODEL_OF[library]),
            "attributes": [a for a in attributes if a.library == library.value],
        }
        for library in Library
    ]
    open_conflicts = conflicts.visible(request.user).filter(status=Conflict.Status.OPEN).count()
    return render(
        request,
        "baselib/overview.html",
        {"libraries": libraries, "open_conflicts": open_conflicts, "nav": "baselib"},
    )


@staff_only
@require_GET
def theme_list(request):
    rows = [
        {"theme": t, "conditions": themes.describe(t)}
        for t in ThemeLibrary.objects.filter(is_active=True)
    ]
    return render(
        request,
        "baselib/themes.html",
        {
            "rows": rows,
            "can_list": themes.member_scope(request.user).allowed,
            "nav": "baselib",
        },
    )


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@staff_only
@require_GET
def theme_members(request, code: str):
    """A theme's members, a page at a time, for the posts that use the base libraries;
    ID numbers masked, each member shown logged for them (``themes.members``)."""
    theme = get_object_or_404(ThemeLibrary, code=code, is_active=True)
    if not themes.member_scope(request.user).allowed:
        return forbidden(
            request, _("只有窗口、审核、审批、监督岗位和大厅管理员可以查看主题库名单。")
        )
    page = themes.members(
        theme,
        request.user,
        after=_cursor(request.GET.get("after")),
        before=_cursor(request.GET.get("before")),
    )
    return render(
        request,
        "baselib/theme_members.html",
        {"page": page, "conditions": themes.describe(theme), "nav": "baselib"},
    )


@staff_only
@require_GET
def conflict_list(request):
    status = request.GET.get("status", Conflict.Status.OPEN)
    if status not in Conflict.Status.values:
        status = Conflict.Status.OPEN
    rows = conflicts.visible(request.user).filter(status=status)[:200]
    return render(
        request,
        "baselib/conflicts.html",
        {
            "rows": conflicts.rows_for_display(rows),
            "status": status,
            "statuses": Conflict.Status.choices,
            "nav": "baselib",
        },
    )


@staff_only
@require_POST
def conflict_resolve(request, pk: int):
    try:
        conflicts.resolve(
            request.user, pk, request.POST.get("decision", ""), request.POST.get("note", "")
        )
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已处理该数据冲突。"))
    return redirect("baselib:conflicts")
