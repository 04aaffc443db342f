"""Warning rules as data: the seeded rule set, the version a region applies, and the
detectors that read a case's process records.

A rule row says *what* is watched (``pattern``), how hard (``card``, thresholds), who
verifies and by when, and on what basis; the code here only knows how to recognise each
pattern in a stream of records. Regions tighten or loosen a rule by adding their own
version (``revise``); the newest version with the longest matching region wins.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from govhall.core import context
from govhall.core.errors import refuse
from govhall.core.services import audit
from govhall.records import events
from govhall.records.models import ProcessRecord
from govhall.regions.models import Region

from ..models import Card, Category, Clock, Pattern, Rule, Verifier

LICENSING_LAW = "《中华人民共和国行政许可法》"
ONLINE_RULES = "《国务院关于在线政务服务的若干规定》（国务院令第716号）"
PLATFORM_OPINION = (
    "《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（国发〔2018〕27号）"
)
RATINGS_OPINION = (
    "《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》（国办发〔2019〕51号）"
)

# The seeded rule set (region "" = every region), version 1.
SEED: tuple[dict, ...] = (
    dict(
        code="SX01",
        name="申办后5个工作日内未受理",
        card=Card.RED,
        category=Category.TIME,
        pattern=Pattern.ACCEPTANCE_OVERDUE,
        threshold_days=5,
        basis=f"{LICENSING_LAW}第三十二条（五日内受理或一次告知）",
    ),
    dict(
        code="SX02",
        name="临近承诺办结时限",
        card=Card.YELLOW,
        category=Category.TIME,
        pattern=Pattern.DUE_NEAR,
        clock=Clock.PROMISED,
        threshold_days=1,
        basis=f"办事指南公布的承诺办结时限；{ONLINE_RULES}",
    ),
    dict(
        code="SX03",
        name="超过承诺办结时限",
        card=Card.RED,
        category=Category.TIME,
        pattern=Pattern.DUE_PASSED,
        clock=Clock.PROMISED,
        basis=f"办事指南公布的承诺办结时限；{ONLINE_RULES}",
    ),
    dict(
        code="SX04",
        name="临近法定办结时限",
        card=Card.YELLOW,
        category=Category.TIME,
        pattern=Pattern.DUE_NEAR,
        clock=Clock.STATUTORY,
        threshold_days=1,
        basis=f"{LICENSING_LAW}第四十二条（办理期限）",
    ),
    dict(
        code="SX05",
        name="超过法定办结时限",
        card=Card.RED,
        category=Category.TIME,
        pattern=Pattern.DUE_PASSED,
        clock=Clock.STATUTORY,
        basis=f"{LICENSING_LAW}第四十二条（办理期限）",
    ),
    dict(
        code="LC01",
        name="未受理即办结",
        card=Card.RED,
        category=Category.PROCESS,
        pattern=Pattern.CONCLUDED_WITHOUT_ACCEPTANCE,
        basis=f"{LICENSING_LAW}第三十二条（受理）",
    ),
    dict(
        code="NR01",
        name="不予受理或不予许可未说明理由",
        card=Card.RED,
        category=Category.CONTENT,
        pattern=Pattern.REFUSAL_WITHOUT_REASON,
        basis=f"{LICENSING_LAW}第三十二条、第三十八条第二款（说明理由）",
    ),
    dict(
        code="NR02",
        name="多次补正告知（未一次性告知）",
        card=Card.YELLOW,
        category=Category.CONTENT,
        pattern=Pattern.REPEATED_CORRECTION,
        basis=f"{LICENSING_LAW}第三十二条第一款第（四）项（一次告知需要补正的全部内容）",
    ),
    dict(
        code="NR03",
        name="要求提交办事指南以外的材料",
        card=Card.RED,
        category=Category.CONTENT,
        pattern=Pattern.MATERIALS_BEYOND_GUIDE,
        basis=f"{LICENSING_LAW}第三十一条；{RATINGS_OPINION}（在办事指南之外增加新的审批条件/材料）",
    ),
    dict(
        code="NR04",
        name="收取收费目录以外的费用",
        card=Card.RED,
        category=Category.CONTENT,
        pattern=Pattern.FEE_OUTSIDE_CATALOGUE,
        basis=f"{LICENSING_LAW}第五十八条（实施行政许可不得收费，法律、行政法规另有规定的除外）",
    ),
    dict(
        code="LC02",
        name="环节顺序颠倒或跳过环节",
        card=Card.RED,
        category=Category.PROCESS,
        pattern=Pattern.OUT_OF_ORDER,
        basis="事项实施清单公布的办理流程（业务手册）",
    ),
    dict(
        code="LC03",
        name="经办人办理本人或其代理的申请",
        card=Card.RED,
        category=Category.PROCESS,
        pattern=Pattern.SELF_HANDLING,
        verifier=Verifier.SUPERVISOR,
        basis="《中华人民共和国公务员法》第七十六条（公务回避）",
    ),
    dict(
        code="LC04",
        name="过程信息超过12小时才报送",
        card=Card.YELLOW,
        category=Category.PROCESS,
        pattern=Pattern.LATE_PUSH,
        threshold_hours=12,
        basis=PLATFORM_OPINION,
    ),
    dict(
        code="TS01",
        name="投诉逾期未答复",
        card=Card.RED,
        category=Category.TIME,
        pattern=Pattern.COMPLAINT_OVERDUE,
        basis="投诉处理期限（默认10个工作日，可按地区配置）",
    ),
    dict(
        code="HC01",
        name="差评逾期未回访或未整改",
        card=Card.YELLOW,
        category=Category.TIME,
        pattern=Pattern.FOLLOW_UP_OVERDUE,
        threshold_hours=24,  # 回访 within a day of the rating
        threshold_days=15,  # rectification within 15 working days
        basis=RATINGS_OPINION,
    ),
)

# Rules the periodic time scan evaluates (from the case watch); the rest run on records.
TIME_PATTERNS = frozenset({Pattern.ACCEPTANCE_OVERDUE, Pattern.DUE_NEAR, Pattern.DUE_PASSED})
STREAM_PATTERNS = frozenset(
    {
        Pattern.CONCLUDED_WITHOUT_ACCEPTANCE,
        Pattern.REFUSAL_WITHOUT_REASON,
        Pattern.REPEATED_CORRECTION,
        Pattern.MATERIALS_BEYOND_GUIDE,
        Pattern.FEE_OUTSIDE_CATALOGUE,
        Pattern.OUT_OF_ORDER,
        Pattern.SELF_HANDLING,
        Pattern.LATE_PUSH,
    }
)
EDITABLE_FIELDS = (
    "name",
    "card",
    "threshold_days",
    "threshold_hours",
    "response_days",
    "verifier",
    "basis",
    "is_active",
)
STEP_NAMES = {"0": "受理", "1": "承办", "2": "审核", "3": "批准"}
STEP_CODES = {"clerk": "1", "reviewer": "2", "approver": "3"}
# A stated reason that says nothing.
EMPTY_REASONS = frozenset({"", "无", "/", "-", "—", "略", "无理由", "不予受理", "不予许可"})


def ensure_seeded() -> int:
    """Create the seeded rules that do not exist yet (idempotent); return how many."""
    made = 0
    for values in SEED:
        _, created = Rule.objects.get_or_create(
            code=values["code"], region_code="", version=1, defaults=values
        )
        made += created
    return made


class RuleBook:
    """The rules in force, resolved per region (cached for one detection run)."""

    def __init__(self, rules: Iterable[Rule] | None = None):
        if rules is None:
            if not Rule.objects.exists():
                ensure_seeded()
            rules = Rule.objects.all()
        rules = list(rules)
        self._by_code: dict[str, list[Rule]] = {}
        codes = {r.region_code for r in rules if r.region_code}
        prefixes = {region.code: region.prefix for region in Region.objects.filter(code__in=codes)}
        self._prefix = {code: prefixes.get(code, code) for code in codes}
        self._prefix[""] = ""
        for rule in rules:
            self._by_code.setdefault(rule.code, []).append(rule)
        for versions in self._by_code.values():
            versions.sort(key=lambda r: (len(self._prefix[r.region_code]), r.version), reverse=True)
        self._cache: dict[str, list[Rule]] = {}

    def for_region(self, region_code: str) -> list[Rule]:
        """The version of every rule that applies in this region (active ones only)."""
        cached = self._cache.get(region_code)
        if cached is None:
            cached = []
            for versions in self._by_code.values():
                rule = next(
                    (r for r in versions if region_code.startswith(self._prefix[r.region_code])),
                    None,
                )
                if rule is not None and rule.is_active:
                    cached.append(rule)
            self._cache[region_code] = cached
        return cached

    def by_pattern(self, region_code: str, patterns: Iterable[str]) -> list[Rule]:
        wanted = set(patterns)
        return [r for r in self.for_region(region_code) if r.pattern in wanted]

    def one(self, region_code: str, pattern: str) -> Rule | None:
        return next(iter(self.by_pattern(region_code, [pattern])), None)


def revise(rule: Rule, user, **changes) -> Rule:
    """A new version of ``rule`` for ``changes["region_code"]`` (default: the rule's own
    region) with the changed fields; the old version stays for the warnings it raised."""
    region_code = changes.pop("region_code", rule.region_code)
    if region_code and not Region.objects.filter(code=region_code).exists():
        raise refuse("region_code", "unknown", "适用区划不存在，请填写区划代码。")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise refuse(sorted(unknown)[0], "not_editable", "该字段不可修改。")
    if "card" in changes and changes["card"] not in Card.values:
        raise refuse("card", "choice", "“预警等级”须为黄牌（yellow）或红牌（red）。")
    if "verifier" in changes and changes["verifier"] not in Verifier.values:
        raise refuse("verifier", "choice", "“核实主体”须为department或supervisor。")
    for name in ("threshold_days", "threshold_hours", "response_days"):
        if name in changes:
            value = changes[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
                raise refuse(name, "range", "阈值和期限须为0至365之间的整数。")
    if changes.get("response_days") == 0:
        raise refuse("response_days", "range", "反馈期限至少为1个工作日。")
    if "name" in changes and not str(changes["name"]).strip():
        raise refuse("name", "required", "请填写规则名称。")
    if "basis" in changes and not str(changes["basis"]).strip():
        raise refuse("basis", "required", "请填写规则依据。")
    with transaction.atomic():
        latest = (
            Rule.objects.select_for_update()
            .filter(code=rule.code, region_code=region_code)
            .order_by("-version")
            .first()
        )
        values = {f: getattr(rule, f) for f in (*EDITABLE_FIELDS, "category", "pattern", "clock")}
        values.update(changes)
        new = Rule.objects.create(
            code=rule.code,
            region_code=region_code,
            version=(latest.version + 1) if latest else 1,
            created_by=getattr(user, "username", "") or "",
            **values,
        )
        audit.record(
            audit.Action.CREATE,
            instance=new,
            after={"code": new.code, "region_code": region_code, "version": new.version, **changes},
            reason=context.current().reason or "修订预警规则",
        )
    return new


# --- detectors over one case's records ---------------------------------------------------


@dataclass
class Finding:
    """A rule that holds for a case (and step), with the records that show it."""

    rule: Rule
    step_key: str
    detail: str
    record_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Guide:
    """What the published guide allows (None when the item is not in the catalogue)."""

    has_fee: bool
    material_codes: frozenset[str]
    material_names: frozenset[str]
    # The exchange step codes of the catalogue's steps after acceptance, in order.
    step_codes: tuple[str, ...] = ()


def _reason_missing(text) -> bool:
    return str(text or "").strip() in EMPTY_REASONS


def _amount(value) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _rid(record: ProcessRecord) -> str:
    return str(record.record_id)


def detect(records: list[ProcessRecord], rules: list[Rule], guide: Guide | None) -> list[Finding]:
    """Every stream rule of ``rules`` that holds on this case's ``records`` (in order)."""
    by_event: dict[str, list[ProcessRecord]] = {}
    for record in records:
        by_event.setdefault(record.event, []).append(record)
    found: list[Finding] = []
    for rule in rules:
        found.extend(_DETECTORS[rule.pattern](rule, records, by_event, guide))
    return found


def _concluded_without_acceptance(rule, records, by_event, guide):
    conclusions = by_event.get("conclude", [])
    # 秒批 cases are decided by the system without a separate acceptance.
    if conclusions and not by_event.get("accept") and not by_event.get("auto_decide"):
        return [
            Finding(rule, "case", "办件已办结，但没有受理记录。", [_rid(r) for r in conclusions])
        ]
    return []


def _refusal_without_reason(rule, records, by_event, guide):
    found = []
    for record in by_event.get("reject", []):
        if _reason_missing((record.payload.get("details") or {}).get("opinion")):
            found.append(Finding(rule, "acceptance", "不予受理未说明理由。", [_rid(record)]))
    for record in by_event.get("decide", []):
        details = record.payload.get("details") or {}
        if details.get("decision") == "deny" and _reason_missing(details.get("reason")):
            found.append(Finding(rule, "decision", "不予许可决定未说明理由。", [_rid(record)]))
    return found


def _repeated_correction(rule, records, by_event, guide):
    notices = by_event.get("request_correction", [])
    if len(notices) > 1:
        return [
            Finding(
                rule,
                "case",
                f"同一办件发出{len(notices)}次补正告知。",
                [_rid(r) for r in notices],
            )
        ]
    return []


def _materials_beyond_guide(rule, records, by_event, guide):
    if guide is None:
        return []
    extra, ids = [], []
    for record in by_event.get("request_correction", []):
        for entry in (record.payload.get("details") or {}).get("items") or []:
            if not isinstance(entry, dict):
                continue
            code, name = str(entry.get("material_code") or ""), str(entry.get("name") or "")
            if code in guide.material_codes or name in guide.material_names:
                continue
            extra.append(name or code)
            if _rid(record) not in ids:
                ids.append(_rid(record))
    if extra:
        return [Finding(rule, "case", "要求办事指南以外的材料：" + "、".join(extra[:5]), ids)]
    return []


def _fee_outside_catalogue(rule, records, by_event, guide):
    if guide is None or guide.has_fee:
        return []
    for record in by_event.get("conclude", []):
        fee = _amount((record.payload.get("details") or {}).get("fee"))
        if fee > 0:
            return [Finding(rule, "case", f"事项不收费，但办结时收取{fee}元。", [_rid(record)])]
    return []


def _out_of_order(rule, records, by_event, guide):
    """A record dated before the first record of an event it must follow, or a step done
    while a step the catalogue puts before it never happened (skipped)."""
    earliest = {code: min(r.occurred_at for r in rs) for code, rs in by_event.items()}
    for record in records:
        event = events.BY_CODE.get(record.event)
        if event is None:
            continue
        for before in event.follows:
            if before in earliest and record.occurred_at < earliest[before]:
                return [
                    Finding(
                        rule,
                        "case",
                        f"“{events.label(record.event)}”早于“{events.label(before)}”。",
                        [_rid(record), *(_rid(r) for r in by_event[before][:1])],
                    )
                ]
    if guide is None or not guide.step_codes:
        return []
    expected = guide.step_codes
    done: set[str] = set()
    for record in records:
        if record.event not in ("complete_step", "decide"):
            continue
        code = str((record.payload.get("details") or {}).get("step_code") or "")
        if code not in expected:
            continue
        missing = [c for c in expected[: expected.index(code)] if c not in done]
        if missing:
            return [
                Finding(
                    rule,
                    "case",
                    f"“{STEP_NAMES.get(code, code)}”办理前缺少"
                    f"“{STEP_NAMES.get(missing[0], missing[0])}”环节。",
                    [_rid(record)],
                )
            ]
        done.add(code)
    return []


def _self_handling(rule, records, by_event, guide):
    people: set[str] = set()
    for record in by_event.get("submit", []):
        applicant = record.payload.get("applicant") or {}
        for key in ("name", "agent_name"):
            if applicant.get(key):
                people.add(str(applicant[key]).strip())
    if not people:
        return []
    for record in records:
        if record.event in ("submit", "submit_correction", "rate", "withdraw", "request_review"):
            continue
        handler = str((record.payload.get("details") or {}).get("handler") or "").strip()
        if handler and handler in people:
            return [
                Finding(
                    rule,
                    "case",
                    f"经办人“{handler}”即申请人或其代理人。",
                    [_rid(record)],
                )
            ]
    return []


def _late_push(rule, records, by_event, guide):
    limit = datetime.timedelta(hours=rule.threshold_hours or 12)
    late = [
        r
        for r in records
        if r.source != "local" and r.received_at and r.received_at - r.occurred_at > limit
    ]
    if late:
        return [
            Finding(
                rule,
                "case",
                f"{len(late)}条过程信息在发生{rule.threshold_hours or 12}小时后才报送。",
                [_rid(r) for r in late[:20]],
            )
        ]
    return []


_DETECTORS = {
    Pattern.CONCLUDED_WITHOUT_ACCEPTANCE: _concluded_without_acceptance,
    Pattern.REFUSAL_WITHOUT_REASON: _refusal_without_reason,
    Pattern.REPEATED_CORRECTION: _repeated_correction,
    Pattern.MATERIALS_BEYOND_GUIDE: _materials_beyond_guide,
    Pattern.FEE_OUTSIDE_CATALOGUE: _fee_outside_catalogue,
    Pattern.OUT_OF_ORDER: _out_of_order,
    Pattern.SELF_HANDLING: _self_handling,
    Pattern.LATE_PUSH: _late_push,
}


def now() -> datetime.datetime:
    return timezone.now()
