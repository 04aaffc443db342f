"""Staff consoles: the consultation queue and console, and the knowledge desk.

Everything is scoped by posts: a consultant sees the consultations of the departments
where they hold a post; the knowledge desk shows the entries and queued questions of
those departments (and, for hall administrators and catalogue reviewers, the general
ones of their region). An object outside the scope is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from govhall.core.errors import Refusal, problems_of, refuse
from govhall.regions.models import Department, Region
from govhall.regions.services.scope import scope_of
from govhall.workbench.gate import staff_gate

from ..models import Clause, KnowledgeEntry, QueuedQuestion
from ..services import consultation, knowledge
from .portal import render_turn

staff_only = staff_gate(lambda: _("只有在岗的工作人员可以使用在线咨询和知识库。"))


def _errors(error: ValidationError) -> list[str]:
    return [p.message for p in problems_of(error)]


@staff_only
def queue(request):
    rows = consultation.staff_queue(request.user)
    state = request.GET.get("state", "")
    listed = rows.filter(state=state) if state in ("waiting", "active", "closed") else rows
    listed = listed.exclude(state="closed") if not state else listed
    return render(
        request,
        "assistant/staff/queue.html",
        {
            "consultations": listed.order_by("created_at")[:200],
            "figures": consultation.figures(rows),
            "state": state,
        },
    )


@staff_only
def console(request, public_id):
    try:
        c = consultation.for_staff(request.user, public_id)
    except Refusal:
        raise Http404 from None
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "reply")
        try:
            if action == "take":
                consultation.take(c, request.user)
            elif action == "close":
                consultation.close(c, user=request.user)
            elif action == "transfer":
                consultation.transfer(c, request.user, request.POST.get("department", ""))
                return HttpResponseRedirect(reverse("assistant:staff-queue"))
            else:
                consultation.reply(c, request.user, request.POST.get("text", ""))
            return HttpResponseRedirect(request.path + "#latest")
        except ValidationError as error:
            errors = _errors(error)
        c.refresh_from_db()
    turns = []
    if c.conversation_id:
        turns = [render_turn(t) for t in c.conversation.turns.order_by("pk")]
    proposed = []
    if c.item_id:
        proposed = Clause.objects.filter(item_id=c.item_id, is_current=True).order_by("sort_order")
    messages = consultation.messages_after(c)
    return render(
        request,
        "assistant/staff/console.html",
        {
            "consultation": c,
            "turns": turns,
            "proposed": proposed,
            "messages": messages,
            "last_id": messages[-1].pk if messages else 0,
            "errors": errors,
            "targets": consultation.transfer_targets(c) if c.state != "closed" else [],
        },
        status=400 if errors else 200,
    )


@staff_only
def knowledge_desk(request):
    errors: list[str] = []
    if request.method == "POST":
        entry = _scoped_entry(request.user, request.POST.get("entry", ""))
        action = request.POST.get("action", "")
        try:
            if action == "dismiss":
                row = knowledge.visible_queue(request.user).filter(
                    pk=request.POST.get("question") or 0
                )
                if not row.exists():
                    raise Http404
                knowledge.dismiss(row.get(), request.user)
            elif entry is None:
                raise Http404
            elif action == "submit":
                knowledge.submit(entry, request.user)
            elif action in ("publish", "return"):
                knowledge.review(
                    entry,
                    request.user,
                    approve=action == "publish",
                    comment=request.POST.get("comment", ""),
                )
            elif action == "retire":
                knowledge.retire(entry, request.user)
            return HttpResponseRedirect(reverse("assistant:knowledge"))
        except ValidationError as error:
            errors = _errors(error)
    entries = knowledge.visible_entries(request.user).order_by("state", "-updated_at")[:200]
    questions = (
        knowledge.visible_queue(request.user)
        .filter(state=QueuedQuestion.State.OPEN)
        .order_by("-count", "-last_asked_at")[:200]
    )
    return render(
        request,
        "assistant/staff/knowledge.html",
        {
            "entries": [(e, knowledge.can_review(request.user, e)) for e in entries],
            "questions": questions,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _scoped_entry(user, public_id) -> KnowledgeEntry | None:
    try:
        return knowledge.visible_entries(user).filter(public_id=public_id).first()
    except ValidationError:
        return None


def _writable_departments(user):
    scope = scope_of(user)
    if scope.is_superuser:
        return Department.objects.none()
    return Department.objects.filter(pk__in=scope.department_ids).select_related("region")


@staff_only
def entry_edit(request, public_id=None):
    entry = None
    if public_id is not None:
        entry = _scoped_entry(request.user, public_id)
        if entry is None:
            raise Http404
    source = None
    prefill = None
    if request.GET.get("consultation"):
        try:
            prefill = consultation.faq_draft(
                consultation.for_staff(request.user, request.GET["consultation"])
            )
        except ValidationError as error:
            return render(
                request,
                "assistant/staff/knowledge.html",
                {"entries": [], "questions": [], "errors": _errors(error)},
                status=400,
            )
    if request.GET.get("question", "").isdigit():
        source = knowledge.visible_queue(request.user).filter(pk=request.GET["question"]).first()
    departments = list(_writable_departments(request.user))
    errors: list[str] = []
    values = {
        "question": entry.question if entry else (source.question if source else ""),
        "phrasings": entry.phrasings if entry else "",
        "answer": entry.answer if entry else "",
        "item": entry.item.implementation_code if entry and entry.item_id else "",
        "scope": (
            str(entry.department_id or f"general:{entry.region_id}")
            if entry
            else (str(source.department_id) if source and source.department_id else "")
        ),
    }
    if prefill and entry is None:
        values.update(prefill)
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            department, region = _scope_choice(request.user, values["scope"], departments)
            entry = knowledge.save_draft(
                request.user,
                region=region,
                department=department,
                question=values["question"],
                answer=values["answer"],
                phrasings=values["phrasings"],
                item_code=values["item"].strip(),
                entry=entry,
                source=source,
            )
            if request.POST.get("then") == "submit":
                knowledge.submit(entry, request.user)
            return HttpResponseRedirect(reverse("assistant:knowledge"))
        except ValidationError as error:
            errors = _errors(error)
    regions = {d.region for d in departments}
    return render(
        request,
        "assistant/staff/entry.html",
        {
            "entry": entry,
            "values": values,
            "departments": departments,
            "regions": sorted(regions, key=lambda r: r.code),
            "errors": errors,
            "source": source,
        },
        status=400 if errors else 200,
    )


def _scope_choice(user, value: str, departments) -> tuple[Department | None, Region]:
    if value.startswith("general:"):
        region = Region.objects.filter(code=value.split(":", 1)[1]).first()
        if region is None:
            raise _no_scope()
        return None, region
    department = next((d for d in departments if str(d.pk) == value), None)
    if department is None:
        raise _no_scope()
    return department, department.region


def _no_scope() -> Refusal:
    return refuse("scope", "required", "请选择所属部门或本区划通用解答。")
