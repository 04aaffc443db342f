"""Detection: the stream rules run on process records as they arrive, the time rules on
a periodic scan of the case watch, and 督办 escalation of unanswered cards.

``watch`` reads the records added since its watermark — the hall's own and those pushed
by branch halls and vertical systems, one code path — folds each touched case into its
``CaseWatch`` row and re-evaluates the stream rules on all of that case's records. A
warning is raised once per (rule, case, step) (a unique constraint, so a repeated push
or a second run raises nothing new) and withdrawn automatically when later records show
the trigger no longer holds. ``scan`` evaluates the time rules over open cases from
partial indexes; ``escalate`` turns unanswered yellow cards red and sends unanswered red
cards to the next level up.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from govhall.catalog.models import Item
from govhall.core import context
from govhall.core.services import audit, calendar
from govhall.records.models import ProcessRecord
from govhall.records.services import bounds
from govhall.regions.models import Region

from ..models import (
    UNANSWERED_STATES,
    Card,
    CaseWatch,
    Clock,
    Pattern,
    Rule,
    Warning,
    WarningState,
    WarningStep,
    WatchState,
)
from . import followups
from .rules import STEP_CODES, STREAM_PATTERNS, TIME_PATTERNS, Finding, Guide, RuleBook, detect

WATERMARK = "stream_rules"
CHUNK = 5_000  # records per transaction
IN_CHUNK = 500  # case numbers per IN (...) query
SYSTEM = "电子监察"
CLOSING_EVENTS = frozenset({"conclude", "withdraw", "reject"})
CLOSED_STATES = frozenset({"concluded", "rejected", "withdrawn"})

CaseKey = tuple[str, str]


def today() -> datetime.date:
    return timezone.localdate()


_due_memo: dict[tuple[datetime.date, int], datetime.date] = {}


def response_due(start: datetime.date, rule: Rule) -> datetime.date:
    """The answer's due date (memoised within a run: every card of a scan shares a few)."""
    key = (start, max(rule.response_days, 1))
    if key not in _due_memo:
        _due_memo[key] = calendar.add_working_days(*key).due_date
    return _due_memo[key]


def _fresh_memo() -> None:
    """Start a run with no remembered due dates (the holiday calendar may have changed)."""
    _due_memo.clear()


# --- raising and withdrawing ----------------------------------------------------------


def _trail(warning: Warning, action: str, state_from: str, note: str, user=None) -> None:
    WarningStep.objects.create(
        warning=warning,
        at=timezone.now(),
        action=action,
        actor=user if user is not None and user.is_authenticated else None,
        actor_label=(user.get_username() if user is not None else SYSTEM),
        state_from=state_from,
        state_to=warning.state,
        note=note,
    )


def raise_warning(
    finding: Finding,
    *,
    case_number: str,
    implementation_code: str,
    region_code: str,
    department_code: str,
    department_name: str = "",
    item_name: str = "",
    source: str = "local",
    complaint=None,
    existing: Warning | None = None,
) -> Warning | None:
    """Raise the card of ``finding`` unless it exists (then: re-raise a withdrawn one).
    Returns the warning raised or re-raised, None when nothing changed."""
    if existing is not None:
        if existing.state != WarningState.WITHDRAWN:
            return None
        existing.state = WarningState.RAISED
        existing.raised_at = timezone.now()
        existing.due_date = response_due(today(), finding.rule)
        existing.detail = finding.detail[:500]
        existing.record_ids = finding.record_ids
        existing.save()
        _trail(existing, "reraise", WarningState.WITHDRAWN, "预警条件再次成立：" + finding.detail)
        audit.record(
            audit.Action.TRANSITION,
            instance=existing,
            before={"state": WarningState.WITHDRAWN},
            after={"state": WarningState.RAISED},
            reason="电子监察重新预警",
        )
        return existing
    rule = finding.rule
    warning = Warning.objects.create(
        rule=rule,
        rule_code=rule.code,
        card=rule.card,
        category=rule.category,
        case_number=case_number,
        implementation_code=implementation_code,
        item_name=item_name[:200],
        step_key=finding.step_key,
        region_code=region_code,
        department_code=department_code,
        department_name=department_name[:200],
        source=source,
        detail=finding.detail[:500],
        record_ids=finding.record_ids,
        raised_at=timezone.now(),
        due_date=response_due(today(), rule),
        complaint=complaint,
    )
    _trail(warning, "raise", "", f"{rule.name}：{finding.detail}")
    audit.record(
        audit.Action.CREATE,
        instance=warning,
        after={
            "rule": rule.code,
            "card": rule.card,
            "case_number": case_number,
            "step": finding.step_key,
            "records": finding.record_ids,
        },
        reason="电子监察预警",
    )
    return warning


def _withdraw(warning: Warning, note: str) -> None:
    before = warning.state
    warning.state = WarningState.WITHDRAWN
    warning.closed_at = timezone.now()
    warning.save(update_fields=["state", "closed_at"])
    _trail(warning, "withdraw", before, note)
    audit.record(
        audit.Action.TRANSITION,
        instance=warning,
        before={"state": before},
        after={"state": warning.state},
        reason="电子监察自动撤销预警",
    )


def sync(
    watch: CaseWatch,
    findings: list[Finding],
    evaluated: Iterable[Rule],
    existing: list[Warning],
) -> tuple[int, int]:
    """Raise the new findings of one case and withdraw the raised cards of ``evaluated``
    rules that no longer hold. Returns (raised, withdrawn)."""
    evaluated_codes = {r.code for r in evaluated}
    by_key = {(w.rule_code, w.step_key): w for w in existing}
    found_keys = set()
    raised = withdrawn = 0
    for finding in findings:
        key = (finding.rule.code, finding.step_key)
        found_keys.add(key)
        made = raise_warning(
            finding,
            case_number=watch.case_number,
            implementation_code=watch.implementation_code,
            region_code=watch.region_code,
            department_code=watch.department_code,
            department_name=watch.department_name,
            item_name=watch.item_name,
            source=watch.source,
            existing=by_key.get(key),
        )
        raised += made is not None
    for key, warning in by_key.items():
        if (
            warning.rule_code in evaluated_codes
            and key not in found_keys
            and warning.state == WarningState.RAISED
        ):
            _withdraw(warning, "后续过程信息表明预警条件已不成立，自动撤销。")
            withdrawn += 1
    return raised, withdrawn


# --- the stream rules -------------------------------------------------------------------


def watch(*, max_records: int | None = None) -> int:
    """Read every record added since the last run; return how many were read."""
    _fresh_memo()
    book = RuleBook()
    guides: dict[str, Guide | None] = {}
    read = 0
    while max_records is None or read < max_records:
        done = _watch_chunk(book, guides)
        if not done:
            break
        read += done
    return read


@transaction.atomic
def _watch_chunk(book: RuleBook, guides: dict) -> int:
    WatchState.objects.get_or_create(name=WATERMARK)
    state = WatchState.objects.select_for_update().get(name=WATERMARK)
    rows = list(
        ProcessRecord.objects.filter(pk__gt=state.last_record_pk)
        .order_by("pk")
        .values_list("pk", "case_number", "implementation_code")[:CHUNK]
    )
    if not rows:
        return 0
    keys = {(number, code) for _, number, code in rows}
    with context.acting(label=SYSTEM), audit.deferred():
        evaluate_cases(keys, book, guides)
        followups.open_since(state.last_record_pk, rows[-1][0], book)
    state.last_record_pk = rows[-1][0]
    state.watched_at = timezone.now()
    state.save(update_fields=["last_record_pk", "watched_at"])
    return len(rows)


def _guide(code: str, guides: dict) -> Guide | None:
    if code not in guides:
        item = Item.objects.filter(implementation_code=code).select_related("current").first()
        version = item.current if item is not None else None
        if version is None:
            guides[code] = None
        else:
            materials = list(version.materials.values_list("code", "name"))
            guides[code] = Guide(
                has_fee=version.has_fee or version.fees.exists(),
                material_codes=frozenset(c for c, _ in materials if c),
                material_names=frozenset(n for _, n in materials if n),
                step_codes=_step_codes(version.steps.all()),
            )
    return guides[code]


def _step_codes(steps) -> tuple[str, ...]:
    """The catalogue's approval steps as exchange step codes, as the case engine walks
    them: a leading 受理 step and the steps after the last approver's are not tasks."""
    ordered = sorted(steps, key=lambda s: (s.sort_order, s.pk))
    if ordered and ordered[0].name.startswith("受理"):
        ordered = ordered[1:]
    deciding = [i for i, s in enumerate(ordered) if s.post == "approver"]
    if deciding:
        ordered = ordered[: deciding[-1] + 1]
    codes: list[str] = []
    for step in ordered:
        code = STEP_CODES.get(step.post, "1")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def evaluate_cases(keys: set[CaseKey], book: RuleBook, guides: dict | None = None) -> None:
    """Fold and evaluate the stream rules of these cases from all their records (each
    from its ``bounds.earliest`` on: a partitioned table reads only those months)."""
    guides = {} if guides is None else guides
    numbers = sorted({number for number, _ in keys})
    for start in range(0, len(numbers), IN_CHUNK):
        part = numbers[start : start + IN_CHUNK]
        by_case: dict[CaseKey, list[ProcessRecord]] = {}
        with bounds.by_index():
            records = list(
                ProcessRecord.objects.filter(bounds.case_filter(part)).order_by("occurred_at", "pk")
            )
        for record in records:
            key = (record.case_number, record.implementation_code)
            if key in keys:
                by_case.setdefault(key, []).append(record)
        watches = {
            (w.case_number, w.implementation_code): w
            for w in CaseWatch.objects.filter(case_number__in=part)
        }
        existing: dict[CaseKey, list[Warning]] = {}
        for warning in Warning.objects.filter(case_number__in=part).select_related("rule"):
            existing.setdefault((warning.case_number, warning.implementation_code), []).append(
                warning
            )
        for key, records in by_case.items():
            watch = _fold(watches.get(key), key, records)
            rules = book.by_pattern(watch.region_code, STREAM_PATTERNS)
            findings = detect(records, rules, _guide(key[1], guides))
            sync(watch, findings, rules, existing.get(key, []))


def _date(value) -> datetime.date | None:
    if not value:
        return None
    text = str(value)
    return parse_date(text[:10]) if len(text) >= 10 else None


def _fold(watch: CaseWatch | None, key: CaseKey, records: list[ProcessRecord]) -> CaseWatch:
    latest = records[-1]
    payload = latest.payload or {}
    department = payload.get("department") or {}
    watch = watch or CaseWatch(case_number=key[0], implementation_code=key[1])
    watch.region_code = latest.region_code
    watch.department_code = latest.department_code
    watch.department_name = str(department.get("name") or watch.department_name)[:200]
    watch.item_name = str(
        next((r.payload.get("item_name") for r in records if r.payload.get("item_name")), "")
    )[:200]
    watch.source = records[0].source
    watch.state = str(payload.get("state") or "")[:24]
    submits = [r.occurred_at for r in records if r.event in ("submit", "pre_accept")]
    watch.applied_at = min(submits) if submits else records[0].occurred_at
    accepts = [r.occurred_at for r in records if r.event in ("accept", "auto_decide")]
    watch.accepted_at = min(accepts) if accepts else None
    closing = [r.occurred_at for r in records if r.event in CLOSING_EVENTS]
    watch.is_open = not closing and watch.state not in CLOSED_STATES
    watch.closed_at = max(closing) if closing else None
    for record in reversed(records):
        data = record.payload or {}
        if data.get("promised_due") or data.get("statutory_due"):
            promised, statutory = _date(data.get("promised_due")), _date(data.get("statutory_due"))
            if (promised, statutory) != (watch.promised_due, watch.statutory_due):
                # A moved limit (extension, suspension): the scan looks at the case again.
                watch.time_dirty = bool(watch.promised_stage or watch.statutory_stage)
                watch.promised_stage = watch.statutory_stage = 0
            watch.promised_due, watch.statutory_due = promised, statutory
            break
    watch.last_record_id = max(r.pk for r in records)
    watch.save()
    return watch


# --- the time rules ---------------------------------------------------------------------


def _time_findings(
    watch: CaseWatch, rules: list[Rule], day: datetime.date, remaining: dict, limits: dict
) -> list[Finding]:
    """The time rules that hold for ``watch`` today; also records on it how far the case
    has got (``promised_stage``, ``statutory_stage``, ``acceptance_flagged``)."""
    found = []
    stages = {Clock.PROMISED: 0, Clock.STATUTORY: 0}
    flagged = False
    for rule in rules:
        if rule.pattern == Pattern.ACCEPTANCE_OVERDUE:
            if watch.accepted_at is None and watch.applied_at is not None:
                applied = timezone.localdate(watch.applied_at)
                key = (applied, rule.threshold_days)
                if key not in limits:
                    limits[key] = calendar.add_working_days(applied, rule.threshold_days).due_date
                limit = limits[key]
                if day > limit:
                    flagged = True
                    found.append(
                        Finding(
                            rule,
                            "acceptance",
                            f"{applied:%Y-%m-%d}申办，{rule.threshold_days}个工作日内"
                            f"（至{limit:%Y-%m-%d}）未受理。",
                        )
                    )
            continue
        due = watch.promised_due if rule.clock == Clock.PROMISED else watch.statutory_due
        if due is None or rule.clock not in stages:
            continue
        left = remaining.get(due)
        if left is None:
            left = calendar.remaining_working_days(day, due)
        clock = Clock(rule.clock).label
        if rule.pattern == Pattern.DUE_NEAR and left <= rule.threshold_days:
            stages[rule.clock] = max(stages[rule.clock], 1)
            found.append(
                Finding(rule, "case", f"{clock}{due:%Y-%m-%d}届满，剩余{max(left, 0)}个工作日。")
            )
        elif rule.pattern == Pattern.DUE_PASSED and day > due:
            stages[rule.clock] = 2
            found.append(
                Finding(rule, "case", f"{clock}{due:%Y-%m-%d}已届满，超期{-left}个工作日。")
            )
    for clock, due in (
        (Clock.PROMISED, watch.promised_due),
        (Clock.STATUTORY, watch.statutory_due),
    ):
        if due is not None and day > due:
            stages[clock] = 2  # passed: nothing further to cross until the limit moves
    watch.promised_stage, watch.statutory_stage = stages[Clock.PROMISED], stages[Clock.STATUTORY]
    watch.acceptance_flagged = flagged or watch.accepted_at is not None
    watch.time_dirty = False
    return found


def _candidates(day: datetime.date, book_rules: list[Rule]) -> Q:
    """Open cases a time rule may newly hold (or stop holding) for today: a limit within
    reach not yet passed as far as the scan knows, an acceptance not yet flagged, or a
    limit moved since the last scan. Precise checks follow per case."""
    near = max([r.threshold_days for r in book_rules if r.pattern == Pattern.DUE_NEAR] or [0])
    horizon = calendar.add_working_days(day, near).due_date
    accept_days = min(
        [r.threshold_days for r in book_rules if r.pattern == Pattern.ACCEPTANCE_OVERDUE] or [0]
    )
    applied_before = timezone.make_aware(
        datetime.datetime.combine(day - datetime.timedelta(days=accept_days), datetime.time())
    )
    # A case already near (stage 1) changes only once its limit has passed.
    return (
        Q(promised_stage=0, promised_due__lte=horizon)
        | Q(promised_stage=1, promised_due__lt=day)
        | Q(statutory_stage=0, statutory_due__lte=horizon)
        | Q(statutory_stage=1, statutory_due__lt=day)
        | Q(acceptance_flagged=False, accepted_at__isnull=True, applied_at__lt=applied_before)
        | Q(time_dirty=True)
    )


def scan(day: datetime.date | None = None) -> dict[str, int]:
    """Evaluate the time rules on every open case that may cross a threshold today, and
    on those whose limits moved (withdrawing raised cards that no longer hold)."""
    day = day or today()
    _fresh_memo()
    book = RuleBook()
    time_rules = [r for r in Rule.objects.filter(is_active=True) if r.pattern in TIME_PATTERNS]
    candidates = CaseWatch.objects.filter(is_open=True).exclude(state="suspended")
    candidates = candidates.filter(_candidates(day, time_rules)).order_by()
    raised = withdrawn = 0
    limits: dict = {}
    with context.acting(label=SYSTEM):
        batch: list[CaseWatch] = []
        for watch in candidates.iterator(chunk_size=2000):
            batch.append(watch)
            if len(batch) == 2000:
                r, w = _scan_batch(batch, book, day, limits)
                raised, withdrawn, batch = raised + r, withdrawn + w, []
        if batch:
            r, w = _scan_batch(batch, book, day, limits)
            raised, withdrawn = raised + r, withdrawn + w
    return {"raised": raised, "withdrawn": withdrawn}


def _stage_of(watch: CaseWatch) -> tuple:
    return (
        watch.promised_stage,
        watch.statutory_stage,
        watch.acceptance_flagged,
        watch.time_dirty,
    )


@transaction.atomic
def _scan_batch(
    watches: list[CaseWatch], book: RuleBook, day: datetime.date, limits: dict
) -> tuple[int, int]:
    remaining = calendar.remaining_for_dates(
        day, [w.promised_due for w in watches] + [w.statutory_due for w in watches]
    )
    numbers = {w.case_number for w in watches}
    existing: dict[CaseKey, list[Warning]] = {}
    for warning in Warning.objects.filter(case_number__in=numbers).select_related("rule"):
        existing.setdefault((warning.case_number, warning.implementation_code), []).append(warning)
    raised = withdrawn = 0
    befores = [_stage_of(w) for w in watches]
    with audit.deferred():
        for watch in watches:
            rules = book.by_pattern(watch.region_code, TIME_PATTERNS)
            findings = _time_findings(watch, rules, day, remaining, limits)
            key = (watch.case_number, watch.implementation_code)
            r, w = sync(watch, findings, rules, existing.get(key, []))
            raised, withdrawn = raised + r, withdrawn + w
        # One UPDATE per distinct outcome (a handful), of the rows that changed.
        groups: dict[tuple, list[int]] = {}
        for watch, before in zip(watches, befores, strict=True):
            after = _stage_of(watch)
            if after != before:
                groups.setdefault(after, []).append(watch.pk)
        for (promised, statutory, flagged, dirty), pks in groups.items():
            CaseWatch.objects.filter(pk__in=pks).update(
                promised_stage=promised,
                statutory_stage=statutory,
                acceptance_flagged=flagged,
                time_dirty=dirty,
            )
    return raised, withdrawn


# --- 督办 escalation --------------------------------------------------------------------


def escalate(day: datetime.date | None = None) -> dict[str, int]:
    """Unanswered past their due date: a yellow card turns red (with a new due date); a
    red card is sent to the supervising body one level up (once)."""
    day = day or today()
    _fresh_memo()
    reddened = sent_up = 0
    overdue = Warning.objects.filter(state__in=UNANSWERED_STATES, due_date__lt=day).select_related(
        "rule"
    )
    parents = dict(Region.objects.filter(parent__isnull=False).values_list("code", "parent_id"))
    with context.acting(label=SYSTEM):
        for warning in overdue.iterator(chunk_size=1000):
            with transaction.atomic(), audit.deferred():
                locked = Warning.objects.select_for_update().get(pk=warning.pk)
                if locked.state not in UNANSWERED_STATES or locked.due_date >= day:
                    continue
                before = {"card": locked.card, "escalated_to": locked.escalated_to}
                if locked.card == Card.YELLOW:
                    locked.card = Card.RED
                    note = "督办：黄牌逾期未反馈，升级为红牌。"
                    reddened += 1
                elif not locked.escalated_to:
                    locked.escalated_to = parents.get(locked.region_code, "") or locked.region_code
                    note = "督办：红牌逾期未反馈，提交上一级监察机构督办。"
                    sent_up += 1
                else:
                    continue
                locked.due_date = response_due(day, warning.rule)
                locked.save(update_fields=["card", "escalated_to", "due_date"])
                _trail(locked, "escalate", locked.state, note)
                audit.record(
                    audit.Action.TRANSITION,
                    instance=locked,
                    before=before,
                    after={"card": locked.card, "escalated_to": locked.escalated_to},
                    reason=note,
                )
    return {"reddened": reddened, "sent_up": sent_up}


def parse_moment(value) -> datetime.datetime | None:
    return parse_datetime(str(value)) if value else None
