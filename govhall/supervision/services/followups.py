"""好差评 follow-up: every bad rating (4 不满意, 5 非常不满意) opens a follow-up with a 回访
deadline (hours) and a rectification deadline (working days) taken from the region's
HC01 rule, so each region sets its own; the department records the 回访 and the
rectification, the rater is told and may re-rate; a missed deadline raises a card.

Follow-ups are opened from the rating's process record, so a rating pushed by a branch
hall is followed up exactly like one given on this hall's site.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from govhall.core.errors import deny, refuse
from govhall.core.services import audit, calendar
from govhall.records.models import ProcessRecord

from ..models import FollowUpState, Pattern, RatingFollowUp, Warning
from . import access
from .rules import Finding, RuleBook

BAD_LEVELS = (4, 5)
DEFAULT_CALLBACK_HOURS, DEFAULT_RECTIFY_DAYS = 24, 15
MAX_TEXT = 2000
F = FollowUpState


def _deadlines(book: RuleBook, region_code: str, rated_at: datetime.datetime):
    rule = book.one(region_code, Pattern.FOLLOW_UP_OVERDUE)
    hours = (rule.threshold_hours if rule else 0) or DEFAULT_CALLBACK_HOURS
    days = (rule.threshold_days if rule else 0) or DEFAULT_RECTIFY_DAYS
    callback_due = rated_at + datetime.timedelta(hours=hours)
    rectify_due = calendar.add_working_days(timezone.localdate(rated_at), days).due_date
    return callback_due, rectify_due


def open_from_records(records, book: RuleBook) -> int:
    """Open a follow-up for each bad rating among ``records`` (idempotent by record id)."""
    bad = []
    for record in records:
        details = (record.payload or {}).get("details") or {}
        try:
            level = int(details.get("level") or 0)
        except (TypeError, ValueError):
            continue
        if level in BAD_LEVELS:
            bad.append((record, level, details))
    if not bad:
        return 0
    known = set(
        RatingFollowUp.objects.filter(record_id__in=[r.record_id for r, _, _ in bad]).values_list(
            "record_id", flat=True
        )
    )
    made = 0
    for record, level, details in bad:
        if record.record_id in known:
            continue
        payload = record.payload or {}
        callback_due, rectify_due = _deadlines(book, record.region_code, record.occurred_at)
        tags = details.get("tags") or []
        follow_up = RatingFollowUp.objects.create(
            record_id=record.record_id,
            case_number=record.case_number,
            implementation_code=record.implementation_code,
            item_name=str(payload.get("item_name") or "")[:200],
            region_code=record.region_code,
            department_code=record.department_code,
            department_name=str((payload.get("department") or {}).get("name") or "")[:200],
            source=record.source,
            level=level,
            comment=str(details.get("comment") or "")[:500],
            tags=[str(t)[:60] for t in tags][:10] if isinstance(tags, list) else [],
            channel=str(details.get("channel") or "")[:12],
            real_name=not details.get("anonymous", False),
            rated_at=record.occurred_at,
            callback_due=callback_due,
            rectify_due=rectify_due,
        )
        audit.record(
            audit.Action.CREATE,
            instance=follow_up,
            after={"case_number": record.case_number, "level": level},
            reason="差评自动转入回访整改",
        )
        made += 1
    return made


def open_since(first_pk: int, last_pk: int, book: RuleBook) -> int:
    records = ProcessRecord.objects.filter(pk__gt=first_pk, pk__lte=last_pk, event="rate")
    return open_from_records(records, book)


def _act(user, follow_up: RatingFollowUp, sources, target, reason, **fields):
    scope = access.scope_of(user)
    with transaction.atomic():
        locked = RatingFollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if user is not None and not access.is_department_of(scope, locked.department_code):
            raise deny("只有被评价的部门可以回访和整改。", field="action")
        if locked.state not in sources:
            raise refuse(
                "action",
                "transition_not_allowed",
                f"该差评当前为“{locked.get_state_display()}”，不能{reason}。",
            )
        before = locked.state
        locked.state = target
        for name, value in fields.items():
            setattr(locked, name, value)
        if user is not None:
            locked.handled_by = user.get_username()
        locked.save()
        audit.record(
            audit.Action.TRANSITION,
            instance=locked,
            before={"state": before},
            after={"state": target, **{k: v for k, v in fields.items() if k != "rerated_at"}},
            reason=reason,
        )
    return locked


def _text(value: str, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise refuse(field, "required", f"请填写{label}。")
    if len(text) > MAX_TEXT:
        raise refuse(field, "max_length", f"{label}不能超过{MAX_TEXT}字。")
    return text


def record_callback(user, follow_up: RatingFollowUp, note: str) -> RatingFollowUp:
    note = _text(note, "note", "回访情况")
    return _act(
        user,
        follow_up,
        (F.OPEN,),
        F.CALLED_BACK,
        "记录回访",
        called_back_at=timezone.now(),
        callback_note=note,
    )


def rectify(user, follow_up: RatingFollowUp, text: str) -> RatingFollowUp:
    text = _text(text, "rectification", "整改情况")
    return _act(
        user,
        follow_up,
        (F.CALLED_BACK,),
        F.RECTIFIED,
        "反馈整改情况",
        rectified_at=timezone.now(),
        rectification=text,
    )


def rerate(follow_up: RatingFollowUp, level) -> RatingFollowUp:
    """The rater, told of the rectification, rates again (closes the follow-up)."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 5:
        raise refuse("level", "choice", "评价等级须为1（非常满意）至5（非常不满意）。")
    return _act(
        None,
        follow_up,
        (F.RECTIFIED,),
        F.CLOSED,
        "复评",
        rerated_level=level,
        rerated_at=timezone.now(),
    )


def raise_overdue(now: datetime.datetime | None = None) -> int:
    """A 回访 or rectification past its deadline raises the HC01 card (once per stage)."""
    from .detection import raise_warning

    now = now or timezone.now()
    day = timezone.localdate(now)
    book = RuleBook()
    late = list(
        RatingFollowUp.objects.filter(
            Q(state=F.OPEN, callback_due__lt=now) | Q(state=F.CALLED_BACK, rectify_due__lt=day)
        )
    )
    if not late:
        return 0
    keys = {f"followup-{f.pk}-{f.state}" for f in late}
    known = set(
        Warning.objects.filter(
            rule__pattern=Pattern.FOLLOW_UP_OVERDUE, step_key__in=keys
        ).values_list("step_key", "case_number")
    )
    raised = 0
    for follow_up in late:
        key = f"followup-{follow_up.pk}-{follow_up.state}"
        if (key, follow_up.case_number) in known:
            continue
        rule = book.one(follow_up.region_code, Pattern.FOLLOW_UP_OVERDUE)
        if rule is None:
            continue
        if follow_up.state == F.OPEN:
            due = timezone.localtime(follow_up.callback_due)
            detail = f"差评（{follow_up.level}级）应于{due:%Y-%m-%d %H:%M}前回访，逾期未回访。"
        else:
            detail = f"差评应于{follow_up.rectify_due:%Y-%m-%d}前整改，逾期未反馈整改情况。"
        with transaction.atomic(), audit.deferred():
            made = raise_warning(
                Finding(rule, key, detail, [str(follow_up.record_id)]),
                case_number=follow_up.case_number,
                implementation_code=follow_up.implementation_code,
                region_code=follow_up.region_code,
                department_code=follow_up.department_code,
                department_name=follow_up.department_name,
                item_name=follow_up.item_name,
                source=follow_up.source,
            )
        raised += made is not None
    return raised


def visible(user):
    scope = access.scope_of(user)
    if scope.is_superuser:
        return RatingFollowUp.objects.all()
    if not scope.posts:
        return RatingFollowUp.objects.none()
    condition = Q(department_code__in=access.own_credit_codes(scope))
    for prefix in scope.region_prefixes:
        condition |= Q(region_code__startswith=prefix)
    return RatingFollowUp.objects.filter(condition)


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def figures(rows) -> dict:
    """差评回访率 and 差评整改率 of a set of follow-ups."""
    counts = rows.aggregate(
        bad=Count("pk"),
        called_back=Count("pk", filter=~Q(state=F.OPEN)),
        rectified=Count("pk", filter=Q(state__in=(F.RECTIFIED, F.CLOSED))),
    )
    return {
        "bad_followed": counts["bad"],
        "called_back": counts["called_back"],
        "callback_share": _share(counts["called_back"], counts["bad"]),
        "rectified": counts["rectified"],
        "rectified_share": _share(counts["rectified"], counts["bad"]),
    }


def followup_figures(region, period) -> dict:
    start, end = period.bounds
    rows = RatingFollowUp.objects.filter(
        region_code__startswith=region.prefix, rated_at__gte=start, rated_at__lt=end
    )
    return figures(rows)
