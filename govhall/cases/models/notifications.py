"""Messages to applicants: the site inbox, also sent by SMS and email.

Not a process record (those live in ``govhall.records``): a notification belongs to the
case engine that writes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.core.models.inserts import CompiledInsert


class Notification(CompiledInsert, models.Model):
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
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            # The deadline scan retries failed sends; a few rows among millions.
            models.Index(
                fields=["id"], condition=~models.Q(send_error=""), name="notification_send_failed"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source_record"], name="notification_once_per_record"
            )
        ]

    def __str__(self) -> str:
        return self.title
