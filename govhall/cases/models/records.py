"""Process records (办件过程信息), the outbox that ships them, and notifications.

A process record is the exchange format of docs/exchange.md: the same rows arrive
from branch halls through the exchange API, so monitoring and supervision count
local and remote cases with one code path. ``OutboxMessage`` is written in the same
transaction as the record and delivered afterwards (``deliver_outbox``), with every
attempt kept.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageType(models.TextChoices):
    """Message types of Guangdong's hall exchange (STANDARDS.md)."""

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


class ProcessRecord(models.Model):
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


class OutboxMessage(models.Model):
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


class Notification(models.Model):
    """A message to an applicant: kept in the site inbox, also sent by SMS and email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    event = models.CharField(_("事件"), max_length=30)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    send_error = models.CharField(_("发送错误"), max_length=300, blank=True)
    source_record = models.UUIDField(_("来源记录"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source_record"], name="notification_once_per_record"
            )
        ]

    def __str__(self) -> str:
        return self.title
