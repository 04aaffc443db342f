"""The staff inbox (待办办件), the department's cases (本部门全部办件) and bulk acceptance.

An inbox page is one indexed read of the open tasks (``CaseStep`` carries copies of
what a row shows) plus its count; the working days left are counted for the whole page
at once (``remaining``), so a page costs the same for 5 rows or 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govhall.cases.models import CaseState, CaseStep
from govhall.cases.services import access, handling
from govhall.core.services import calendar
from govhall.workbench.gate import staff_only

from .remaining import remaining_by_date

PAGE_SIZE = 50
PAUSED = (CaseState.SUSPENDED, CaseState.AWAITING_CORRECTION)


@dataclass(frozen=True)
class InboxCounts:
    pending: int
    overdue: int


def inbox_counts(user, scope) -> InboxCounts:
    """The 待办办件 card's figures: open tasks of the user's posts, and those past their
    due date (paused cases — the clock stopped for a correction or a special procedure —
    are not overdue). Registered with the workbench's home page by CasesConfig.ready."""
    tasks = access.inbox(user, scope)
    today = timezone.localdate()
    overdue = tasks.filter(due_date__lt=today).exclude(case_state__in=PAUSED).count()
    return InboxCounts(pending=tasks.count(), overdue=overdue)


FILTERS = {
    "all": gettext_lazy("全部"),
    "due_soon": gettext_lazy("即将到期（1个工作日内）"),
    "overdue": gettext_lazy("已超期"),
    "suspended": gettext_lazy("暂停计时（补正、特别程序）"),
}


@dataclass(frozen=True)
class Row:
    """One inbox row, its text made in the view: a page has 50 rows and eight columns, and
    each template tag per cell (a URL reversed, a sentence translated, a date filtered,
    the row's class chosen) cost more than the page's queries."""

    step: CaseStep
    remaining: int | None
    paused: bool
    can_bulk_accept: bool
    url: str = ""
    css: str = ""
    due: str = "—"
    remaining_text: str = "—"
    pick_label: str = ""

    @property
    def overdue_by(self) -> int:
        return -self.remaining if self.remaining is not None and self.remaining < 0 else 0


#: What a row shows of a task (``CaseStep`` carries copies of its case's fields).
TASK_COLUMNS = ("pk", "case_number", "item_name", "applicant_name", "name", "due_date")
TASK_COLUMNS += ("case_state", "code", "department_name")


def listed(tasks):
    """``tasks`` as named tuples of ``TASK_COLUMNS``: a page of fifty model instances with
    their departments cost more CPU than its query (1.7 of 3.7 ms)."""
    named = tasks.annotate(department_name=F("department__name"))
    return named.values_list(*TASK_COLUMNS, named=True)


_NUMBER = "__case_number__"


def case_url_maker():
    """``number -> reverse("workbench:case", args=[number])`` with one reversal per page:
    case numbers are digits, which ``reverse`` leaves as they are."""
    pattern = reverse("workbench:case", args=[_NUMBER])
    return lambda number: pattern.replace(_NUMBER, quote(number, safe=_URL_SAFE))


# What ``reverse`` leaves unquoted in an argument (django.urls.resolvers).
_URL_SAFE = "!$&'()*+,;=/~:@"


def _rows(steps, left: dict) -> list[Row]:
    url_of = case_url_maker()
    # An integer is localised as its plain digits unless numbers are grouped
    # (django.utils.numberformat's fast path); formats.localize looks the formats up first.
    days = formats.localize if settings.USE_THOUSAND_SEPARATOR else str
    paused_text, pick = _("暂停计时"), _("选择办件%(n)s批量受理")
    overdue = _("已超期%(n)s个工作日")
    rows = []
    for step in steps:
        paused = step.case_state in PAUSED
        remaining = None if paused else left.get(step.due_date)
        if paused:
            css, text = "row-paused", paused_text
        elif remaining is None:
            css, text = "", "—"
        elif remaining < 0:
            css, text = "row-overdue", overdue % {"n": days(-remaining)}
        else:
            css = "row-due-soon" if remaining <= 1 else ""
            text = days(remaining)
        rows.append(
            Row(
                step,
                remaining,
                paused,
                step.code == "0" and step.case_state == CaseState.SUBMITTED,
                url=url_of(step.case_number),
                css=css,
                due=step.due_date.isoformat() if step.due_date else "—",
                remaining_text=text,
                pick_label=pick % {"n": step.case_number},
            )
        )
    return rows


def _params(**values) -> str:
    """The page's filters as a query-string prefix for the pager links."""
    kept = {k: v for k, v in values.items() if v}
    return f"{urlencode(kept)}&" if kept else ""


def _query(request) -> str:
    return request.GET.get("q", "").strip()[:40]


@staff_only
def inbox(request):
    today = timezone.localdate()
    chosen = request.GET.get("filter", "all")
    chosen = chosen if chosen in FILTERS else "all"
    tasks = access.inbox(request.user)
    if chosen == "due_soon":
        limit = calendar.add_working_days(today, 1).due_date
        tasks = tasks.filter(due_date__range=(today, limit)).exclude(case_state__in=PAUSED)
    elif chosen == "overdue":
        tasks = tasks.filter(due_date__lt=today).exclude(case_state__in=PAUSED)
    elif chosen == "suspended":
        tasks = tasks.filter(case_state__in=PAUSED)
    query = _query(request)
    if query:
        tasks = tasks.filter(case_number__contains=query)
    paginator = Paginator(
        listed(tasks.order_by(F("due_date").asc(nulls_last=True), "pk")), PAGE_SIZE
    )
    # Counted without the rows' department name: the same rows (a task's department is
    # required), one join and its compiling fewer.
    paginator.count = tasks.count()
    page = paginator.get_page(request.GET.get("page"))
    steps = list(page.object_list)
    left = remaining_by_date((s.due_date for s in steps if s.case_state not in PAUSED), today)
    rows = _rows(steps, left)
    return render(
        request,
        "cases/staff/inbox.html",
        {
            "page": page,
            "rows": rows,
            "filters": FILTERS.items(),
            "chosen": chosen,
            "query": query,
            "any_bulk": any(r.can_bulk_accept for r in rows),
            "params": _params(filter=chosen, q=query),
            "nav": "inbox",
        },
    )


@staff_only
def department_cases(request):
    """Every case the user may read (their departments', or their regions' for
    supervisors and hall administrators), newest first."""
    cases = access.staff_cases(request.user)
    state = request.GET.get("state", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    else:
        state = ""
    query = _query(request)
    if query:
        cases = cases.filter(number__contains=query)
    cases = cases.select_related("department").order_by("-submitted_at", "-pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/staff/all.html",
        {
            "page": page,
            "states": CaseState.choices,
            "state": state,
            "query": query,
            "params": _params(state=state, q=query),
            "nav": "all",
        },
    )


@staff_only
@require_POST
def bulk_accept(request):
    """批量受理: accept each ticked case through ``handling.accept``; report each one."""
    numbers = list(dict.fromkeys(n.strip() for n in request.POST.getlist("case") if n.strip()))
    if not numbers:
        messages.error(request, _("请先勾选要受理的办件。"))
        return redirect("workbench:cases-inbox")
    numbers = numbers[:PAGE_SIZE]
    found = {
        c.number: c
        for c in access.staff_cases(request.user)
        .filter(number__in=numbers)
        .select_related("department")
    }
    results = []
    for number in numbers:
        case = found.get(number)
        if case is None:
            results.append((False, _("办件%(n)s：未找到或不在您的办理范围内。") % {"n": number}))
            continue
        try:
            handling.accept(case, request.user)
        except ValidationError as error:
            reason = "；".join(error.messages)
            results.append(
                (False, _("办件%(n)s：未受理，%(reason)s") % {"n": number, "reason": reason})
            )
        else:
            results.append((True, _("办件%(n)s：已受理。") % {"n": number}))
    done = sum(1 for ok, _message in results if ok)
    summary = _("批量受理完成：成功%(ok)s件，未成功%(failed)s件。") % {
        "ok": done,
        "failed": len(results) - done,
    }
    (messages.success if done == len(results) else messages.warning)(request, summary)
    for ok, message in results:
        (messages.success if ok else messages.error)(request, message)
    return redirect("workbench:cases-inbox")
