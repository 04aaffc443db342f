"""Process records (办件过程信息) and the outbox that ships them.

A process record is the exchange format of docs/exchange.md: the case engine appends
one per state change, branch halls and vertical systems push the same rows through the
exchange API, so monitoring and supervision count local and remote cases with one code
path. ``OutboxMessage`` is written in the same transaction as a local record and
delivered afterwards (``manage.py deliver_outbox``), with every attempt kept.

The tables were created by the ``cases`` app (``cases_processrecord``,
``cases_outboxmessage``) and renamed when the models moved here (migration
``records.0001_initial``); the index names are unchanged.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.core.models.inserts import CompiledInsert


class MessageType(models.TextChoices):
    """Message types of Guangdong's hall exchange (GB/T 39046 tables 5–8)."""

    APPLICATION = "0", _("申办")
    PRE_ACCEPTANCE = "1", _("预受理")
    ACCEPTANCE = "2", _("受理")
    APPROVAL_STEP = "3", _("审批")
    CONCLUSION = "4", _("办结")
    SPECIAL_REQUEST = "5", _("特别程序申请")
    SPECIAL_RESULT = "6", _("特别程序结果")
    CORRECTION_NOTICE = "7", _("补正告知")
    CORRECTION_ACCEPTED = "8", _("补正受理")
    COLLECTED = "9", _("领取登记")
    RATING = "R", _("评价")  # our extension: the 好差评 of GB/T 39046 travels in the same stream
    PAYMENT = "P", _("收费")  # our extension: 核定收费, 缴费, 退费 (docs/payments.md)


class ProcessRecord(CompiledInsert, models.Model):
    """One state change of one case, local or pushed; ``event`` is one of ``events.EVENTS``."""

    record_id = models.UUIDField(_("记录标识"), default=uuid.uuid4, unique=True, editable=False)
    case_number = models.CharField(_("办件编号"), max_length=40)
    implementation_code = models.CharField(_("实施编码"), max_length=32)
    message_type = models.CharField(_("信息类型"), max_length=1, choices=MessageType.choices)
    event = models.CharField(_("事件"), max_length=30)
    occurred_at = models.DateTimeField(_("发生时间"), db_index=True)
    region_code = models.CharField(_("区划代码"), max_length=12)
    department_code = models.CharField(_("部门统一社会信用代码"), max_length=18)
    # Copied out of the payload so monitoring can aggregate in SQL without reading JSON.
    case_type = models.CharField(_("办件类型"), max_length=1, blank=True)
    channel = models.CharField(_("申办渠道"), max_length=12, blank=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    # "local" for the hall's own cases, else the pushing exchange client's code.
    source = models.CharField(_("来源"), max_length=60, default="local")
    payload = models.JSONField(_("内容"))
    received_at = models.DateTimeField(_("入库时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办件过程信息")
        verbose_name_plural = _("办件过程信息")
        ordering = ["occurred_at", "pk"]
        # Plain b-tree indexes (no PostgreSQL LIKE-pattern twins): exact lookups only.
        indexes = [
            models.Index(fields=["case_number"], name="record_case_number"),
            models.Index(fields=["region_code", "occurred_at"], name="record_region_time"),
            # "Which cases concluded in this period" — the start of every case-based
            # indicator computed from the records — read from the index alone
            # (PostgreSQL; other databases skip covering indexes).
            models.Index(
                fields=["occurred_at"],
                include=["case_number", "implementation_code", "region_code"],
                condition=models.Q(event="conclude"),
                name="record_conclusions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.get_message_type_display()} {self.event}"


class OutboxMessage(CompiledInsert, models.Model):
    """A local record still to be shipped to the parent hall (or already shipped)."""

    record = models.OneToOneField(ProcessRecord, on_delete=models.CASCADE, related_name="outbox")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The parent hall refused the record (field errors kept in last_error): not retried.
    rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("发件箱")
        verbose_name_plural = _("发件箱")
        indexes = [models.Index(fields=["delivered_at", "next_attempt_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.record_id} {'已送达' if self.delivered_at else '待送达'}"
