"""The portal's 互动交流 page: ask the assistant, rate answers, hand over to a person.

Server-rendered and usable without JavaScript (each question is a POST answered on the
same page); the consultation page adds a small script that polls for new messages.
The citizen's consultation tokens live in the session, never in a URL.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from govhall.catalog.models import Item
from govhall.core.errors import Refusal, problems_of
from govhall.portal import services as portal
from govhall.regions.models import Hall

from ..models import Conversation, QueuedQuestion, Turn
from ..services import answering, consultation, learning

MARKER = re.compile(r"〔(\d+)〕$")
NUMBER = re.compile(r"^\d+\.\s*")
TOKENS = "assistant_consultations"
LEVELS = [
    (1, _("非常满意")),
    (2, _("满意")),
    (3, _("基本满意")),
    (4, _("不满意")),
    (5, _("非常不满意")),
]


def _session_key(code: str) -> str:
    return f"assistant_conversation_{code}"


def render_turn(turn: Turn) -> dict:
    """A turn for the template: the heading, then each line with its citation."""
    lines = turn.answer.splitlines()
    head, body = (lines[0], lines[1:]) if turn.citations else ("", lines)
    rows = []
    for line in body:
        match = MARKER.search(line)
        citation = None
        if match:
            index = int(match.group(1)) - 1
            if 0 <= index < len(turn.citations):
                citation = turn.citations[index]
            line = line[: match.start()]
        line = NUMBER.sub("", line)
        rows.append({"text": line, "citation": citation, "number": match.group(1) if match else ""})
    codes = [i["implementation_code"] for i in turn.items]
    online = set(
        Item.objects.filter(
            implementation_code__in=codes, current__channel_online=True
        ).values_list("implementation_code", flat=True)
    )
    items = [{**i, "online": i["implementation_code"] in online} for i in turn.items]
    return {"turn": turn, "head": head, "lines": rows, "items": items}


def _hall(code: str) -> Hall:
    try:
        return portal.hall_for(code)
    except Hall.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def chat(request, code: str):
    hall = _hall(code)
    key = _session_key(code)
    errors: list[str] = []
    question = ""
    if request.method == "POST":
        action = request.POST.get("action", "ask")
        try:
            if action == "new":
                request.session.pop(key, None)
                return HttpResponseRedirect(reverse("assistant:chat", kwargs={"code": code}))
            if action == "feedback":
                _feedback(request, key)
                return HttpResponseRedirect(
                    reverse("assistant:chat", kwargs={"code": code}) + "#latest"
                )
            if action == "handover":
                handed = consultation.hand_over(
                    conversation=request.session.get(key),
                    question=request.POST.get("question") or None,
                    region=code,
                    user=request.user,
                )
                tokens = request.session.get(TOKENS, {})
                tokens[str(handed.consultation.public_id)] = handed.token
                request.session[TOKENS] = tokens
                return HttpResponseRedirect(
                    reverse(
                        "assistant:consultation",
                        kwargs={"public_id": handed.consultation.public_id},
                    )
                )
            question = request.POST.get("question", "")
            answer = answering.ask(
                question, region=code, conversation=request.session.get(key), user=request.user
            )
            request.session[key] = answer.conversation
            return HttpResponseRedirect(
                reverse("assistant:chat", kwargs={"code": code}) + "#latest"
            )
        except Refusal as refusal:
            if refusal.code == "unknown_conversation":
                request.session.pop(key, None)
            errors = [p.message for p in refusal.problems]
        except ValidationError as error:
            errors = [p.message for p in problems_of(error)]
    turns = []
    about = None
    conversation_id = request.session.get(key)
    if conversation_id:
        talk = Conversation.objects.select_related("item").filter(public_id=conversation_id)
        talk = talk.first()
        if talk is not None:
            turns = [render_turn(t) for t in talk.turns.order_by("pk")]
            about = talk.item if not turns else None
    page = portal.hall_page(hall)
    return render(
        request,
        "assistant/chat.html",
        {
            "hall": hall,
            "page": page,
            "nav_items": portal.navigation(hall, current="interaction"),
            "turns": turns,
            "about": about,
            "errors": errors,
            "question": question,
            "examples": ["孩子刚出生怎么上户口", "营业执照怎么申请", "公积金提取要带什么材料"],
        },
        status=400 if errors else 200,
    )


def _feedback(request, key: str) -> None:
    turn = Turn.objects.filter(
        pk=request.POST.get("turn") if str(request.POST.get("turn", "")).isdigit() else None,
        conversation__public_id=request.session.get(key),
        helpful__isnull=True,
    ).first()
    if turn is None:
        return
    helpful = request.POST.get("helpful") == "yes"
    Turn.objects.filter(pk=turn.pk).update(helpful=helpful)
    if not helpful:
        talk = turn.conversation
        learning.enqueue(
            turn.question,
            QueuedQuestion.Reason.UNHELPFUL,
            region_code=talk.region_id,
            item=talk.item,
        )


@require_http_methods(["GET"])
def ask_about(request, code: str):
    """A guide's 我要咨询: the hall's assistant, with the conversation already on the item
    (so "要带什么材料？" is about it) and a hand-over reaching its department."""
    item = Item.objects.published().select_related("region").filter(implementation_code=code)
    item = item.first()
    if item is None:
        raise Http404
    from govhall.search.engine import _ancestor_codes

    codes = [item.region_id, *_ancestor_codes(item.region_id)]
    halls = {h.region_id: h for h in Hall.objects.filter(region_id__in=codes, is_active=True)}
    hall = next((halls[c] for c in codes if c in halls), None)
    if hall is None:
        raise Http404
    talk = Conversation.objects.create(
        region_id=item.region_id,
        item=item,
        user=request.user if request.user.is_authenticated else None,
    )
    request.session[_session_key(hall.region_id)] = str(talk.public_id)
    return HttpResponseRedirect(reverse("assistant:chat", kwargs={"code": hall.region_id}))


@require_http_methods(["GET", "POST"])
def consultation_page(request, public_id):
    token = request.session.get(TOKENS, {}).get(str(public_id), "")
    try:
        c = consultation.for_citizen(public_id, token)
    except Refusal:
        raise Http404 from None
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "message")
        try:
            if action == "close":
                consultation.close(c, by_citizen=True)
            elif action == "rate":
                level = request.POST.get("level", "")
                consultation.rate(
                    c,
                    int(level) if level.isdigit() else level,
                    request.POST.get("comment", ""),
                    consent=request.POST.get("consent") == "yes",
                )
            else:
                consultation.citizen_message(c, request.POST.get("text", ""))
            return HttpResponseRedirect(request.path + "#latest")
        except Refusal as refusal:
            errors = [p.message for p in refusal.problems]
        c.refresh_from_db()
    messages = consultation.messages_after(c)
    return render(
        request,
        "assistant/consultation.html",
        {
            "consultation": c,
            "messages": messages,
            "last_id": messages[-1].pk if messages else 0,
            "token": token,
            "errors": errors,
            "levels": [
                (1, "非常满意"),
                (2, "满意"),
                (3, "基本满意"),
                (4, "不满意"),
                (5, "非常不满意"),
            ],
            "chat_url": reverse("assistant:chat", kwargs={"code": c.region_id})
            if Hall.objects.filter(region_id=c.region_id).exists()
            else "",
        },
        status=400 if errors else 200,
    )
