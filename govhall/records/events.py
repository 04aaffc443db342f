"""The events of a case's process-record stream, stated once.

Each ``Event`` says what a record with that ``event`` code is: the exchange message type
it travels as (``MessageType``), its Chinese label, and the events it logically follows.
The case engine's actions name the event they append, the exchange schema's event lists
and the quality checks' ordering rule are derived from here, and so are the data
generators' records. ``pre_accept`` (预受理) is the one event only other systems send.

``follows`` is read by the data-quality check ``out_of_order``: a record dated before
the earliest record of an event it follows, in the same case, is out of order (only
events that exist in the case count). ``default`` marks the event a record of its
message type stands for when the sender leaves ``event`` out (docs/exchange.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import MessageType

FORMAT_VERSION = "1.0"  # of the exchange format (the ``format`` of every payload)

M = MessageType


@dataclass(frozen=True)
class Event:
    code: str
    message_type: str
    label: str | Promise
    follows: tuple[str, ...] = ()
    default: bool = False


EVENTS: tuple[Event, ...] = (
    Event("submit", M.APPLICATION, _("申办"), default=True),
    Event("pre_accept", M.PRE_ACCEPTANCE, _("预受理"), ("submit",), default=True),
    Event(
        "accept",
        M.ACCEPTANCE,
        _("受理"),
        ("submit", "request_correction", "submit_correction"),
        default=True,
    ),
    Event("reject", M.ACCEPTANCE, _("不予受理"), ("submit", "request_correction")),
    Event("request_correction", M.CORRECTION_NOTICE, _("补正告知"), ("submit",), default=True),
    Event(
        "submit_correction",
        M.CORRECTION_ACCEPTED,
        _("补正受理"),
        ("submit", "request_correction"),
        default=True,
    ),
    Event("complete_step", M.APPROVAL_STEP, _("审批环节"), ("submit", "accept"), default=True),
    Event("return_step", M.APPROVAL_STEP, _("退回环节"), ("submit", "accept")),
    Event("decide", M.APPROVAL_STEP, _("审批决定"), ("submit", "accept")),
    Event("auto_decide", M.APPROVAL_STEP, _("秒批决定"), ("submit",)),
    Event("request_review", M.APPROVAL_STEP, _("申请人工复核"), ("submit", "auto_decide")),
    Event(
        "start_special", M.SPECIAL_REQUEST, _("特别程序申请"), ("submit", "accept"), default=True
    ),
    Event(
        "end_special",
        M.SPECIAL_RESULT,
        _("特别程序结果"),
        ("submit", "accept", "start_special"),
        default=True,
    ),
    Event("extend", M.SPECIAL_REQUEST, _("延长办理时限"), ("submit", "accept")),
    Event(
        "conclude",
        M.CONCLUSION,
        _("办结"),
        ("submit", "accept", "decide", "auto_decide"),
        default=True,
    ),
    Event("withdraw", M.CONCLUSION, _("撤回（作废）"), ("submit",)),
    Event("deliver", M.COLLECTED, _("领取登记"), ("submit", "conclude"), default=True),
    Event("rate", M.RATING, _("评价"), ("submit", "conclude"), default=True),
    # Fees (govhall.payments, docs/payments.md): assessed after the approval, paid, refunded.
    Event(
        "assess_fee", M.PAYMENT, _("核定收费"), ("submit", "decide", "auto_decide"), default=True
    ),
    Event("open_payment", M.PAYMENT, _("发起缴费"), ("submit", "assess_fee")),
    Event("pay", M.PAYMENT, _("缴费到账"), ("submit", "assess_fee")),
    Event("close_payment", M.PAYMENT, _("缴费订单关闭"), ("submit", "open_payment")),
    Event("refund", M.PAYMENT, _("退费"), ("submit", "pay")),
)

BY_CODE: dict[str, Event] = {event.code: event for event in EVENTS}
CODES: tuple[str, ...] = tuple(BY_CODE)


def get(code: str) -> Event:
    """The event ``code`` (KeyError for a code the exchange format does not have)."""
    return BY_CODE[code]


def label(code: str) -> str:
    """The Chinese label of an event code; an unknown code is shown as it is."""
    event = BY_CODE.get(code)
    return str(event.label) if event else code


def of_type(message_type: str) -> tuple[Event, ...]:
    """The events a record of this message type may be, in the order above."""
    return tuple(e for e in EVENTS if e.message_type == message_type)


def default_for(message_type: str) -> str:
    """The event a record of this message type stands for when it names none ("" if none)."""
    return next((e.code for e in of_type(message_type) if e.default), "")
