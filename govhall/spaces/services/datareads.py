"""谁用了我的数据: the log of every read of a person's (or company's) data.

Reads are reported through ``core.signals.personal_data_read`` where they happen (the
case access layer, the licence use log, and later data sharing, OIDC claims, exports);
each becomes a ``DataRead`` row that nobody can edit or delete. The person (or the
company's authorised people) can list and download them and dispute one: the dispute is
recorded, audited, sent on as ``core.signals.data_read_disputed`` (the supervision
subsystem turns it into a complaint) and, until that subsystem exists, told to the hall
administrators of the reader's department as a message.
"""

from __future__ import annotations

import csv
import io

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.accounts.models import Company, Person, Power
from govhall.cases.models import Notification
from govhall.core.errors import refuse
from govhall.core.identifiers import validate_credit_code, validate_id_number
from govhall.core.signals import data_read_disputed
from govhall.regions.models import Post, StaffPost

from ..models import DataRead, DataReadDispute, DataReadSource

REASON_MAX = 500


def record(
    *,
    subject_user_id=None,
    subject_id_number: str = "",
    reader_user_id=None,
    reader_department_id=None,
    reader_client: str = "",
    purpose: str = "",
    case_number: str = "",
    fields=(),
    source: str = "",
    **_ignored,
) -> DataRead | None:
    """Log one read. An ID number is resolved to its account and never stored; a credit
    code names the company (public)."""
    company = None
    value = (subject_id_number or "").strip().upper()
    subject_key = ""
    if value:
        credit = validate_credit_code(value)
        if credit.valid:
            company = Company.objects.filter(credit_code=credit.normalized).first()
            subject_key = credit.normalized
        else:
            person = validate_id_number(value)
            if person.valid:
                subject_key = Person.index_for(person.normalized)
                if subject_user_id is None:
                    subject_user_id = (
                        Person.objects.filter(id_number_index=subject_key)
                        .values_list("user_id", flat=True)
                        .first()
                    )
    if subject_user_id is None and company is None and not subject_key:
        return None
    reader_name = ""
    if reader_user_id is not None:
        from django.contrib.auth import get_user_model

        reader = get_user_model().objects.filter(pk=reader_user_id).first()
        reader_name = str(reader) if reader else ""
    return DataRead.objects.create(
        subject_user_id=None if company is not None else subject_user_id,
        subject_company=company,
        subject_key=subject_key,
        reader_user_id=reader_user_id,
        reader_name=reader_name[:100],
        reader_department_id=reader_department_id,
        reader_client=(reader_client or "")[:100],
        purpose=(purpose or "")[:200] or "未说明",
        case_number=(case_number or "")[:40],
        fields=[str(f)[:50] for f in (fields or [])][:20],
        source=source if source in DataReadSource.values else DataReadSource.CASE,
    )


def reads_of(identity) -> QuerySet[DataRead]:
    """The reads of the acting identity's data: their own, or the company's for its
    authorised people with the power to view its cases."""
    rows = DataRead.objects.select_related("reader_department", "dispute")
    if identity is None or identity.person is None:
        return rows.none()
    if identity.company is not None:
        if not identity.can(Power.VIEW_CASES):
            return rows.none()
        return rows.filter(subject_company=identity.company)
    return rows.filter(subject_user=identity.user, subject_company__isnull=True)


def as_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["时间", "方式", "使用部门", "使用人", "调用系统", "用途", "办件编号", "数据项"]
    )
    for read in rows:
        writer.writerow(
            [
                timezone.localtime(read.at).strftime("%Y-%m-%d %H:%M:%S"),
                read.get_source_display(),
                read.reader_department.name if read.reader_department else "",
                read.reader_name,
                read.reader_client,
                read.purpose,
                read.case_number,
                "、".join(read.fields),
            ]
        )
    return "\ufeff" + out.getvalue()  # BOM: Excel opens the Chinese text correctly


def dispute(identity, read_id, reason: str) -> DataReadDispute:
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", "required", "请说明您认为这次数据使用不当的理由。")
    if len(reason) > REASON_MAX:
        raise refuse("reason", "max_length", f"异议理由不能超过{REASON_MAX}个字。")
    read = reads_of(identity).filter(pk=read_id).first()
    if read is None:
        raise refuse("read", "not_found", "没有找到这条数据使用记录。")
    try:
        with transaction.atomic():
            created = DataReadDispute.objects.create(read=read, user=identity.user, reason=reason)
            _tell_the_hall(read, created)
    except IntegrityError:
        raise refuse("read", "already_disputed", "您已对这条记录提出过异议，请等待答复。") from None
    transaction.on_commit(
        lambda: data_read_disputed.send(
            sender=DataReadDispute, user_id=identity.user.pk, read_id=read.pk, reason=reason
        )
    )
    return created


def _tell_the_hall(read: DataRead, created: DataReadDispute) -> None:
    """Until complaints exist: a message to the hall administrators (and supervisors) of
    the reader's department's region."""
    if read.reader_department_id is None:
        return
    region = read.reader_department.region_id
    posts = StaffPost.objects.filter(
        post__in=[Post.HALL_ADMIN, Post.SUPERVISOR],
        department__region_id=region,
        is_active=True,
    ).select_related("user")
    for user_id in {p.user_id for p in posts}:
        Notification.objects.create(
            user_id=user_id,
            case_number=read.case_number,
            event="data_read_disputed",
            title="数据使用异议",
            body=(
                f"有群众对{timezone.localtime(read.at):%Y-%m-%d %H:%M}"
                f"{read.reader_department.name}（{read.reader_name or '—'}）的数据使用"
                f"（{read.purpose}）提出异议：{created.reason}"
            ),
        )


ANSWER_MAX = 1000


def disputes_for_staff(user):
    """Disputes about reads by departments the staff member's scope covers."""
    from govhall.regions.services.scope import scope_of

    scope = scope_of(user)
    rows = DataReadDispute.objects.select_related("read__reader_department", "user")
    if scope.is_superuser:
        return rows
    condition = Q(read__reader_department_id__in=scope.department_ids)
    for prefix in scope.region_prefixes:
        condition |= Q(read__reader_department__region__code__startswith=prefix)
    return rows.filter(condition)


def answer(user, dispute_id, text: str) -> DataReadDispute:
    """The hall answers a dispute; the person is told in their inbox."""
    text = (text or "").strip()
    if not text:
        raise refuse("answer", "required", "请填写答复内容。")
    if len(text) > ANSWER_MAX:
        raise refuse("answer", "max_length", f"答复不能超过{ANSWER_MAX}个字。")
    with transaction.atomic():
        dispute = (
            disputes_for_staff(user).select_for_update(of=("self",)).filter(pk=dispute_id).first()
        )
        if dispute is None:
            raise refuse("dispute", "not_found", "没有找到这条异议。")
        if dispute.state == DataReadDispute.State.ANSWERED:
            raise refuse("dispute", "already_answered", "这条异议已经答复。")
        dispute.state = DataReadDispute.State.ANSWERED
        dispute.answer, dispute.answered_by, dispute.answered_at = text, user, timezone.now()
        dispute.save()  # audited
        Notification.objects.create(
            user=dispute.user,
            case_number=dispute.read.case_number,
            event="data_read_answered",
            title="您对数据使用的异议已答复",
            body=text,
            link="/my/space/data-use/",
        )
    return dispute
