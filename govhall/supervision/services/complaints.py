"""我要投诉: filing, routing by level (归口负责、分级办理), forwarding by the supervising
body (交办), the answer within a statutory number of working days, the complainant's
view by number and query code, and the rating of the answer.

A complainant is either signed in (real name) or proves a mobile number with an SMS code;
one without a signed-in account is anonymous, and an anonymous rating is not a real-name
rating (GB/T 39046 counts only real-name ratings). The mobile number is kept masked; the
query code only as a keyed hash.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.accounts.models import PhoneCode
from govhall.accounts.services import phone
from govhall.catalog.models import Item
from govhall.core.errors import Problem, Refusal, deny, refuse
from govhall.core.services import audit, calendar
from govhall.regions.models import Department, Region

from ..models import (
    CaseWatch,
    Complaint,
    ComplaintState,
    ComplaintSubject,
    Pattern,
    Warning,
)
from . import access
from .rules import Finding, RuleBook

SMS_PURPOSE = PhoneCode.Purpose.COMPLAINT  # the code a complainant proves a number with
DEFAULT_ANSWER_DAYS = 10
QUERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MIN_CONTENT, MAX_CONTENT = 10, 2000
MAX_ANSWER = 4000


def answer_days() -> int:
    """Working days a department has to answer (configurable; default 10)."""
    return int(getattr(settings, "GOVHALL_COMPLAINT_ANSWER_DAYS", DEFAULT_ANSWER_DAYS))


def _query_hash(number: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"complaint:{number}:{code.upper()}".encode(), hashlib.sha256).hexdigest()


def mask_phone(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else ""


def send_code(mobile: str) -> None:
    """Send the SMS code a complainant without an account proves their number with."""
    phone.send_code(phone.validate_mobile(mobile, "phone"), SMS_PURPOSE)


def _service_centre(region: Region) -> Department | None:
    """The body that runs the hall of a region (its 政务服务 centre or data bureau)."""
    departments = Department.objects.filter(region=region, is_active=True)
    return (
        departments.filter(kind="service_centre").order_by("sort_order", "pk").first()
        or departments.order_by("sort_order", "pk").first()
    )


def route(data: dict) -> tuple[Department, str, str, str]:
    """The responsible department by level: the case's department, the named department,
    the item's implementing department, or the hall's own body for its service.
    Returns (department, region code, case number, implementation code)."""
    subject = data.get("subject") or ""
    if subject not in ComplaintSubject.values:
        raise refuse("subject", "choice", "“投诉对象”（subject）须为case、department、item或hall。")
    if subject == ComplaintSubject.CASE:
        number = str(data.get("case_number") or "").strip()
        if not number:
            raise refuse("case_number", "required", "投诉办件时请填写办件编号。")
        watch = CaseWatch.objects.filter(case_number=number).first()
        department = (
            Department.objects.filter(credit_code=watch.department_code).first() if watch else None
        )
        if department is None:
            raise refuse("case_number", "not_found", "未找到该办件编号，请核对后重新填写。")
        return department, watch.region_code, number, watch.implementation_code
    if subject == ComplaintSubject.DEPARTMENT:
        code = str(data.get("department") or "").strip()
        department = Department.objects.filter(credit_code=code, is_active=True).first()
        if department is None:
            raise refuse("department", "not_found", "未找到该部门，请填写部门统一社会信用代码。")
        return department, department.region_id, "", ""
    if subject == ComplaintSubject.ITEM:
        code = str(data.get("implementation_code") or "").strip()
        item = Item.objects.filter(implementation_code=code).select_related("department").first()
        if item is None:
            raise refuse("implementation_code", "not_found", "未找到该事项，请填写事项实施编码。")
        return item.department, item.department.region_id, "", code
    code = str(data.get("region") or "").strip()
    region = Region.objects.filter(code=code).first()
    department = _service_centre(region) if region else None
    if department is None:
        raise refuse("region", "not_found", "未找到该大厅所在区划，请填写区划代码。")
    return department, region.code, "", ""


def file(data: dict, *, user=None) -> tuple[Complaint, str]:
    """File a complaint; returns it and the query code (shown once)."""
    problems = []
    content = str(data.get("content") or "").strip()
    if len(content) < MIN_CONTENT:
        problems.append(Problem("content", "min_length", f"投诉内容至少{MIN_CONTENT}个字。"))
    elif len(content) > MAX_CONTENT:
        problems.append(Problem("content", "max_length", f"投诉内容不能超过{MAX_CONTENT}字。"))
    try:
        department, region_code, case_number, code = route(data)
    except Refusal as refusal:
        problems.extend(refusal.problems)
    signed_in = user is not None and user.is_authenticated
    mobile = ""
    raw_phone = str(data.get("phone") or "").strip()
    if not signed_in or raw_phone:
        try:
            mobile = phone.validate_mobile(raw_phone, "phone")
        except ValidationError as error:
            problems.append(Problem("phone", "format", error.messages[0]))
    if problems:
        raise Refusal(problems)
    if not signed_in:
        try:
            phone.check_code(mobile, SMS_PURPOSE, str(data.get("sms_code") or ""))
        except ValidationError as error:
            raise refuse("sms_code", "sms_code", error.messages[0]) from None
    now = timezone.now()
    today = timezone.localdate(now)
    query_code = "".join(secrets.choice(QUERY_ALPHABET) for _ in range(8))
    for _attempt in range(5):
        number = f"TS{today:%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(
                    number=number,
                    query_code_hash=_query_hash(number, query_code),
                    subject=data["subject"],
                    case_number=case_number,
                    implementation_code=code,
                    region_code=region_code,
                    department=department,
                    content=content,
                    user=user if signed_in else None,
                    phone_masked=mask_phone(mobile),
                    anonymous=not signed_in,
                    received_at=now,
                    due_date=calendar.add_working_days(today, answer_days()).due_date,
                )
                audit.record(
                    audit.Action.CREATE,
                    instance=complaint,
                    after={
                        "subject": complaint.subject,
                        "department": department.credit_code,
                        "due_date": complaint.due_date,
                        "anonymous": complaint.anonymous,
                    },
                    reason="受理投诉",
                )
        except IntegrityError:
            continue
        return complaint, query_code
    raise refuse("number", "busy", "系统繁忙，请稍后重试。")


def find(number: str, query_code: str) -> Complaint | None:
    """The complaint if the pair matches (the complainant's view), else None."""
    complaint = Complaint.objects.select_related("department").filter(number=number).first()
    if complaint is None or not query_code:
        return None
    expected = _query_hash(complaint.number, query_code.strip())
    return complaint if hmac.compare_digest(expected, complaint.query_code_hash) else None


def _change(complaint: Complaint, before: dict, reason: str, **fields) -> Complaint:
    for name, value in fields.items():
        setattr(complaint, name, value)
    complaint.save(update_fields=list(fields))
    audit.record(
        audit.Action.TRANSITION,
        instance=complaint,
        before=before,
        after={k: (v.credit_code if isinstance(v, Department) else v) for k, v in fields.items()},
        reason=reason,
    )
    return complaint


def answer(user, complaint: Complaint, text: str) -> Complaint:
    """The handling department answers (once)."""
    text = (text or "").strip()
    if not text:
        raise refuse("answer", "required", "请填写答复内容。")
    if len(text) > MAX_ANSWER:
        raise refuse("answer", "max_length", f"答复不能超过{MAX_ANSWER}字。")
    scope = access.scope_of(user)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if not (scope.is_superuser or locked.department_id in scope.department_ids):
            raise deny("只有承办部门可以答复投诉。", field="answer")
        if locked.state != ComplaintState.HANDLING:
            raise refuse("answer", "transition_not_allowed", "该投诉已答复。")
        return _change(
            locked,
            {"state": locked.state},
            "答复投诉",
            state=ComplaintState.ANSWERED,
            answer=text,
            answered_at=timezone.now(),
            answered_by=user.get_username(),
        )


def forward(user, complaint: Complaint, credit_code: str, note: str = "") -> Complaint:
    """交办: a supervisor of the region sends the complaint to another department of it."""
    scope = access.scope_of(user)
    department = Department.objects.filter(credit_code=(credit_code or "").strip()).first()
    if department is None:
        raise refuse("department", "not_found", "未找到该部门，请填写部门统一社会信用代码。")
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if not access.supervises(scope, locked.region_code):
            raise deny("只有本级或上级效能监督人员可以交办投诉。", field="department")
        if not access.supervises(scope, department.region_id):
            raise refuse("department", "out_of_scope", "只能交办给您职责范围内的部门。")
        if locked.state != ComplaintState.HANDLING:
            raise refuse("department", "transition_not_allowed", "该投诉已答复，不能再交办。")
        return _change(
            locked,
            {"department": locked.department.credit_code},
            f"交办投诉：{note}"[:500],
            department=department,
            region_code=department.region_id,
        )


def rate(complaint: Complaint, level) -> Complaint:
    """The complainant rates the answer (1 非常满意 … 5 非常不满意), once."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 5:
        raise refuse("level", "range", "评价等级须为1至5（1非常满意……5非常不满意）。")
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.state == ComplaintState.HANDLING:
            raise refuse("level", "transition_not_allowed", "投诉尚未答复，暂不能评价。")
        if locked.state == ComplaintState.RATED:
            raise refuse("level", "already_rated", "该投诉已评价。")
        return _change(
            locked,
            {"state": locked.state},
            "评价投诉答复",
            state=ComplaintState.RATED,
            rating=level,
            rated_at=timezone.now(),
        )


def raise_overdue(day: datetime.date | None = None) -> int:
    """An unanswered complaint past its due date becomes a warning on its department."""
    from .detection import raise_warning

    day = day or timezone.localdate()
    book = RuleBook()
    raised = 0
    overdue = Complaint.objects.filter(
        state=ComplaintState.HANDLING, due_date__lt=day
    ).select_related("department")
    known = set(
        Warning.objects.filter(complaint__in=overdue).values_list("complaint_id", flat=True)
    )
    for complaint in overdue:
        if complaint.pk in known:
            continue
        rule = book.one(complaint.region_code, Pattern.COMPLAINT_OVERDUE)
        if rule is None:
            continue
        with transaction.atomic(), audit.deferred():
            made = raise_warning(
                Finding(
                    rule,
                    "complaint",
                    f"投诉{complaint.number}应于{complaint.due_date:%Y-%m-%d}前答复，逾期未答复。",
                ),
                case_number=complaint.number,
                implementation_code=complaint.implementation_code,
                region_code=complaint.region_code,
                department_code=complaint.department.credit_code,
                department_name=complaint.department.name,
                item_name="",
                complaint=complaint,
            )
        raised += made is not None
    return raised
