"""The assistant API: ``POST /api/v1/assistant/ask`` (public contract) and online consultation.

The citizen's side of a consultation is authorised by the token returned when it was
opened (header ``X-Consultation-Token``); the staff side by a staff post in the
consultation's department. Messages are read by polling ``…/messages?after=<id>``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.errors import refuse
from govhall.operations.throttling import AnonRateThrottle

from ..models import QueuedQuestion, Turn
from ..services import answering, consultation, learning

TOKEN_HEADER = "HTTP_X_CONSULTATION_TOKEN"


class AskThrottle(AnonRateThrottle):
    """60 questions a minute per client address: enough for a person, not for a scraper."""

    scope = "assistant_ask"
    rate = "60/minute"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _body(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise refuse("non_field_errors", "invalid", "请求体须为JSON对象。")
    return data


class AskView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]
    throttle_classes = [*APIView.throttle_classes, AskThrottle]

    @extend_schema(summary="智能客服提问（公开）", tags=["assistant"], request=None, responses=None)
    def post(self, request):
        data = _body(request)
        answer = answering.ask(
            data.get("question"),
            region=data.get("region"),
            conversation=data.get("conversation"),
            user=request.user,
        )
        return Response(answer.as_dict())


class FeedbackView(APIView):
    """有用 / 没用 on one answer; 没用 puts the question in the knowledge-base queue."""

    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(summary="对回答评价有用或没用", tags=["assistant"], request=None, responses=None)
    def post(self, request):
        data = _body(request)
        helpful = data.get("helpful")
        if not isinstance(helpful, bool):
            raise refuse("helpful", "invalid", "helpful须为true（有用）或false（没用）。")
        turn = (
            Turn.objects.select_related("conversation__item")
            .filter(pk=data.get("turn") if isinstance(data.get("turn"), int) else None)
            .filter(conversation__public_id=_uuid(data.get("conversation")))
            .first()
        )
        if turn is None:
            raise refuse("turn", "unknown_conversation", "该回答不存在。")
        if turn.helpful is not None:
            raise refuse("turn", "already_rated", "您已经评价过这条回答。")
        Turn.objects.filter(pk=turn.pk).update(helpful=helpful)
        if not helpful:
            talk = turn.conversation
            learning.enqueue(
                turn.question,
                QueuedQuestion.Reason.UNHELPFUL,
                region_code=talk.region_id,
                item=talk.item,
            )
        return Response({"turn": turn.pk, "helpful": helpful})


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def message_row(message) -> dict:
    return {
        "id": message.pk,
        "sender": message.sender,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }


def consultation_row(c, messages=None) -> dict:
    row = {
        "consultation": str(c.public_id),
        "state": c.state,
        "kind": c.kind,
        "due_date": c.due_date.isoformat() if c.due_date else None,
        "department": c.department.name,
        "region": c.region_id,
        "question": c.question,
        "created_at": c.created_at.isoformat(),
        "rating": c.rating,
    }
    if messages is not None:
        row["messages"] = [message_row(m) for m in messages]
    return row


def _after(request) -> int:
    raw = request.query_params.get("after", "0") or "0"
    if not raw.isdigit():
        raise refuse("after", "invalid", "after须为非负整数（已收到的最后一条消息编号）。")
    return int(raw)


def _resolve(request, public_id):
    """(consultation, is_staff): the citizen by token, else a staff member in scope."""
    token = request.META.get(TOKEN_HEADER, "")
    if token:
        return consultation.for_citizen(public_id, token), False
    user = request.user
    if user and user.is_authenticated:
        return consultation.for_staff(user, public_id), True
    raise refuse("consultation", "unknown_consultation", "咨询不存在。")


class ConsultationCreateView(APIView):
    """Hand over to a human (public)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(summary="转人工：发起在线咨询", tags=["assistant"], request=None, responses=None)
    def post(self, request):
        data = _body(request)
        handed = consultation.hand_over(
            conversation=data.get("conversation"),
            question=data.get("question"),
            region=answering._check_region(data.get("region")),
            user=request.user,
        )
        c = handed.consultation
        row = consultation_row(c, consultation.messages_after(c))
        row["token"] = handed.token
        return Response(row, status=status.HTTP_201_CREATED)


class ConsultationQueueView(APIView):
    """The staff queue of the caller's departments, with the response figures."""

    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("在线咨询")]

    @extend_schema(summary="在线咨询队列（工作人员）", tags=["assistant"], responses=None)
    def get(self, request):
        rows = consultation.staff_queue(request.user)
        state = request.query_params.get("state")
        if state not in (None, "", "waiting", "active", "closed"):
            raise refuse("state", "choice", "state须为waiting、active或closed。")
        listed = rows.filter(state=state) if state else rows.exclude(state="closed")
        return Response(
            {
                "figures": consultation.figures(rows),
                "results": [consultation_row(c) for c in listed.order_by("created_at")[:200]],
            }
        )


class MessagesView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(summary="在线咨询消息（轮询）", tags=["assistant"], responses=None)
    def get(self, request, public_id):
        c, _staff = _resolve(request, public_id)
        return Response(consultation_row(c, consultation.messages_after(c, _after(request))))

    @extend_schema(summary="发送在线咨询消息", tags=["assistant"], request=None, responses=None)
    def post(self, request, public_id):
        c, is_staff = _resolve(request, public_id)
        text = _body(request).get("text")
        if is_staff:
            message = consultation.reply(c, request.user, text)
        else:
            message = consultation.citizen_message(c, text)
        return Response(message_row(message), status=status.HTTP_201_CREATED)


class TakeView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("在线咨询")]

    @extend_schema(summary="坐席接入在线咨询", tags=["assistant"], request=None, responses=None)
    def post(self, request, public_id):
        _body(request)  # an optional empty object; a bad body is refused like anywhere
        c = consultation.take(consultation.for_staff(request.user, public_id), request.user)
        return Response(consultation_row(c))


class TransferView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("在线咨询")]

    @extend_schema(summary="转交其他部门", tags=["assistant"], request=None, responses=None)
    def post(self, request, public_id):
        data = _body(request)
        c = consultation.for_staff(request.user, public_id)
        c = consultation.transfer(c, request.user, data.get("department"))
        return Response(consultation_row(c))


class CloseView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(summary="结束在线咨询", tags=["assistant"], request=None, responses=None)
    def post(self, request, public_id):
        c, is_staff = _resolve(request, public_id)
        _body(request)  # an optional empty object; a bad body is refused like anywhere
        c = consultation.close(c, user=request.user, by_citizen=not is_staff)
        return Response(consultation_row(c))


class RatingView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [AllowAny]

    @extend_schema(summary="评价在线咨询", tags=["assistant"], request=None, responses=None)
    def post(self, request, public_id):
        token = request.META.get(TOKEN_HEADER, "")
        c = consultation.for_citizen(public_id, token)
        data = _body(request)
        c = consultation.rate(
            c, data.get("level"), data.get("comment", ""), consent=data.get("consent") is True
        )
        return Response(consultation_row(c))
