"""Telling applicants what happened: the site inbox at once, SMS and email by the queue.

The inbox row is written in the state change's transaction; sending is a task that
runs only once it commits, so a rolled-back change never texts anyone, and a failed send
is retried by ``send_pending`` without blocking the clerk. With the database broker
(production's) the task's row is written in the same transaction as the notification —
a worker sees both at the commit or neither — instead of by a second transaction after
it; a broker outside the database (the tests' immediate one runs the task at once) gets
the task on commit.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import router, transaction
from django.utils import timezone

from govhall.accounts import sms

from ..models import Case, Decision, Notification

MESSAGES = {
    "submit": ("申请已提交", "您的申请（{item}）已提交，办件编号{number}。"),
    "accept": ("申请已受理", "您的申请（{item}）已受理，办件编号{number}，承诺办结日期{due}。"),
    "reject": ("申请不予受理", "您的申请（{item}）不予受理，理由：{reason}"),
    "request_correction": (
        "请补正材料",
        "您的申请（{item}）需要补正材料，请登录网上办事大厅查看一次性告知书并补正。",
    ),
    "decide": ("审批已作出决定", "您的申请（{item}）审批结果：{decision}。"),
    "auto_decide": ("秒批结果", "您的申请（{item}）已自动审批：{decision}。"),
    "conclude": ("办件已办结", "您的办件{number}（{item}）已办结，欢迎对本次服务进行评价。"),
    "assess_fee": (
        "请缴纳费用",
        "您的申请（{item}）已准予，请在办件页面查看缴款通知书并于缴款期限前缴费，办件编号{number}。",
    ),
    "pay": ("缴费已到账", "您的办件{number}（{item}）缴费已到账，电子票据可在办件页面下载。"),
}


def notify(case: Case, event: str) -> Notification | None:
    if case.user_id is None or event not in MESSAGES:
        return None
    title, template = MESSAGES[event]
    body = template.format(
        item=case.item_name,
        number=case.number,
        due=case.due_date.isoformat() if case.due_date else "—",
        reason=case.rejection_reason or case.decision_reason,
        decision=Decision(case.decision).label if case.decision else "",
    )
    note = Notification.objects.create(
        user_id=case.user_id,
        case_number=case.number,
        event=event,
        title=title,
        body=body,
        link=case.get_absolute_url(),
    )
    if _queued_in_transaction():
        _enqueue(note.pk)
    else:
        transaction.on_commit(lambda: _enqueue(note.pk))
    return note


def _enqueue(pk: int) -> None:
    from ..tasks import send_notification

    send_notification.enqueue(pk)


def _queued_in_transaction() -> bool:
    """Whether the sending task is a row of the database the notification is written to
    (``django_tasks_db``'s broker): then it is queued in the notification's transaction,
    which makes it visible to a worker at the commit, as ``on_commit`` would, without a
    second transaction (its own commit, a second flush of the write-ahead log)."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from ..tasks import send_notification

    return isinstance(send_notification.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == router.db_for_write(Notification)
    )


def send(notification: Notification) -> None:
    """Send one notification by SMS (to a verified mobile) and email; record the outcome."""
    user = notification.user
    text = f"【广东政务服务网】{notification.body}"
    errors = []
    if user.mobile and not notification.sms_sent_at:
        try:
            sms.send(user.mobile, text)
            notification.sms_sent_at = timezone.now()
        except Exception as exc:  # a gateway failure is recorded and retried later
            errors.append(f"短信：{exc}"[:140])
    if user.email and not notification.email_sent_at:
        try:
            send_mail(notification.title, text, None, [user.email])
            notification.email_sent_at = timezone.now()
        except Exception as exc:
            errors.append(f"邮件：{exc}"[:140])
    notification.send_error = "；".join(errors)
    notification.save(update_fields=["sms_sent_at", "email_sent_at", "send_error"])


def send_pending() -> int:
    """Retry notifications whose sending failed (the periodic scan calls this), newest
    first, 500 a run.

    Ordered by id, the order of the partial index of failed sends: ordered by
    ``created_at`` the planner, not knowing how few rows fail, may read and sort every
    message instead (1.58 M after a backlog's reminders)."""
    count = 0
    failed = Notification.objects.exclude(send_error="").order_by("-pk")
    for note in failed.select_related("user")[:500]:
        send(note)
        count += 1
    return count


def mark_read(user, pk: int | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())
