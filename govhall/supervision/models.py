"""Efficiency supervision (电子监察): warning rules, warnings and their trail, the case
watch folded from process records, complaints, rating follow-ups and monthly scores.

Supervision reads only process records (local and pushed alike) and the catalogue, never
a case row, so a county's pushed cases are watched by the same code as the hall's own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Card(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Category(models.TextChoices):
    TIME = "time", _("时效异常")
    CONTENT = "content", _("内容异常")
    PROCESS = "process", _("流程异常")


class Pattern(models.TextChoices):
    """What a rule watches; the detector of each lives in ``services.rules``."""

    ACCEPTANCE_OVERDUE = "acceptance_overdue", _("申办后逾期未受理")
    DUE_NEAR = "due_near", _("临近办理时限")
    DUE_PASSED = "due_passed", _("超过办理时限")
    CONCLUDED_WITHOUT_ACCEPTANCE = "concluded_without_acceptance", _("未受理即办结")
    REFUSAL_WITHOUT_REASON = "refusal_without_reason", _("不予受理或不予许可未说明理由")
    REPEATED_CORRECTION = "repeated_correction", _("多次补正告知（违反一次性告知）")
    MATERIALS_BEYOND_GUIDE = "materials_beyond_guide", _("要求办事指南以外的材料")
    FEE_OUTSIDE_CATALOGUE = "fee_outside_catalogue", _("收取目录以外的费用")
    OUT_OF_ORDER = "out_of_order", _("环节顺序颠倒或跳过环节")
    SELF_HANDLING = "self_handling", _("经办人办理本人申请")
    LATE_PUSH = "late_push", _("过程信息报送迟延")
    COMPLAINT_OVERDUE = "complaint_overdue", _("投诉逾期未答复")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("差评逾期未整改")


class Clock(models.TextChoices):
    PROMISED = "promised", _("承诺时限")
    STATUTORY = "statutory", _("法定时限")


class Verifier(models.TextChoices):
    DEPARTMENT = "department", _("责任部门核实")
    SUPERVISOR = "supervisor", _("监察机构核实")


class Rule(models.Model):
    """One version of a warning rule for a region ("" = every region). The rule applied to
    a case is the newest active version of its code whose region is the longest prefix of
    the case's region, so a city can tighten a provincial threshold for itself."""

    code = models.CharField(_("规则编码"), max_length=40)
    region_code = models.CharField(_("适用区划"), max_length=12, blank=True, default="")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("规则名称"), max_length=100)
    card = models.CharField(_("预警等级"), max_length=6, choices=Card.choices)
    category = models.CharField(_("异常类别"), max_length=8, choices=Category.choices)
    pattern = models.CharField(_("监察对象"), max_length=40, choices=Pattern.choices)
    clock = models.CharField(
        _("时限"), max_length=10, choices=Clock.choices, blank=True, default=""
    )
    threshold_days = models.PositiveSmallIntegerField(_("阈值（工作日）"), default=0)
    threshold_hours = models.PositiveSmallIntegerField(_("阈值（小时）"), default=0)
    verifier = models.CharField(
        _("核实主体"), max_length=12, choices=Verifier.choices, default=Verifier.DEPARTMENT
    )
    response_days = models.PositiveSmallIntegerField(_("反馈期限（工作日）"), default=3)
    basis = models.CharField(_("依据"), max_length=300)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.CharField(_("创建人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["code", "region_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "region_code", "version"], name="supervision_rule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} {self.name}"


class WarningState(models.TextChoices):
    RAISED = "raised", _("预警")
    DISPUTED = "disputed", _("申辩待核")
    RECTIFYING = "rectifying", _("整改中")
    ANSWERED = "answered", _("已反馈")
    CLOSED = "closed", _("办结")
    DISMISSED = "dismissed", _("申辩成立")
    WITHDRAWN = "withdrawn", _("自动撤销")


OPEN_WARNING_STATES = (
    WarningState.RAISED,
    WarningState.DISPUTED,
    WarningState.RECTIFYING,
    WarningState.ANSWERED,
)
# States in which the department still owes an answer (督办 runs on these).
UNANSWERED_STATES = (WarningState.RAISED, WarningState.RECTIFYING)


class Warning(models.Model):
    """A yellow or red card on one case (and step), raised once per (rule, case, step)."""

    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.PROTECT)
    rule_code = models.CharField(_("规则编码"), max_length=40)
    card = models.CharField(_("预警等级"), max_length=6, choices=Card.choices)
    category = models.CharField(_("异常类别"), max_length=8, choices=Category.choices)
    case_number = models.CharField(_("办件编号"), max_length=40)
    implementation_code = models.CharField(_("实施编码"), max_length=32)
    item_name = models.CharField(_("事项名称"), max_length=200, blank=True)
    step_key = models.CharField(_("环节"), max_length=40, blank=True, default="")
    region_code = models.CharField(_("区划代码"), max_length=12)
    department_code = models.CharField(_("部门统一社会信用代码"), max_length=18)
    department_name = models.CharField(_("部门名称"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=60, default="local")
    detail = models.CharField(_("预警说明"), max_length=500)
    record_ids = models.JSONField(_("触发的过程信息"), default=list)
    state = models.CharField(
        _("状态"), max_length=12, choices=WarningState.choices, default=WarningState.RAISED
    )
    raised_at = models.DateTimeField(_("预警时间"))
    due_date = models.DateField(_("反馈期限"))
    escalated_to = models.CharField(_("督办上报区划"), max_length=12, blank=True, default="")
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Set when raised from a complaint or a follow-up rather than from the case's records.
    complaint = models.ForeignKey(
        "Complaint", null=True, blank=True, on_delete=models.SET_NULL, related_name="warnings"
    )

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "case_number", "implementation_code", "step_key"],
                name="supervision_warning_once",
            )
        ]
        indexes = [
            models.Index(fields=["region_code", "state"], name="warning_region_state"),
            models.Index(fields=["department_code", "state"], name="warning_dept_state"),
            models.Index(fields=["case_number"], name="warning_case"),
            models.Index(fields=["state", "due_date"], name="warning_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_card_display()} {self.case_number} {self.rule_code}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_WARNING_STATES


TRAIL_LABELS = {
    "raise": _("预警"),
    "reraise": _("重新预警"),
    "withdraw": _("自动撤销"),
    "escalate": _("督办"),
    "confirm": _("核实属实并整改"),
    "dispute": _("申辩"),
    "reject-dispute": _("驳回申辩"),
    "accept-dispute": _("申辩成立"),
    "answer": _("反馈整改情况"),
    "return": _("退回重新整改"),
    "close": _("办结"),
}


class WarningStep(models.Model):
    """One entry of a warning's trail (全程留痕): who did what, when, and why."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="trail")
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    state_from = models.CharField(_("原状态"), max_length=12, blank=True)
    state_to = models.CharField(_("新状态"), max_length=12)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("预警处理记录")
        verbose_name_plural = _("预警处理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.warning_id} {self.action}"

    @property
    def action_label(self) -> str:
        return str(TRAIL_LABELS.get(self.action, self.action))


class CaseWatch(models.Model):
    """What supervision knows of one case, folded from its process records: the clocks the
    periodic time scan reads from one index instead of from millions of records."""

    case_number = models.CharField(_("办件编号"), max_length=40)
    implementation_code = models.CharField(_("实施编码"), max_length=32)
    item_name = models.CharField(_("事项名称"), max_length=200, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12)
    department_code = models.CharField(_("部门统一社会信用代码"), max_length=18)
    department_name = models.CharField(_("部门名称"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=60, default="local")
    state = models.CharField(_("办件状态"), max_length=24, blank=True)
    is_open = models.BooleanField(_("在办"), default=True)
    applied_at = models.DateTimeField(_("申办时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    promised_due = models.DateField(_("承诺期限"), null=True, blank=True)
    statutory_due = models.DateField(_("法定期限"), null=True, blank=True)
    last_record_id = models.BigIntegerField(default=0)
    # How far the time scan has got with this case, so a steady scan reads only the cases
    # that can cross a threshold today: 0 not yet near, 1 near (yellow), 2 passed (red).
    # Reset when later records move a due date (``time_dirty``: look again, withdraw).
    promised_stage = models.PositiveSmallIntegerField(default=0)
    statutory_stage = models.PositiveSmallIntegerField(default=0)
    acceptance_flagged = models.BooleanField(default=False)
    time_dirty = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("监察办件")
        verbose_name_plural = _("监察办件")
        constraints = [
            models.UniqueConstraint(
                fields=["case_number", "implementation_code"], name="supervision_watch_case"
            )
        ]
        indexes = [
            models.Index(
                fields=["promised_due"],
                condition=models.Q(is_open=True, promised_stage__lt=2),
                name="watch_open_promised",
            ),
            models.Index(
                fields=["statutory_due"],
                condition=models.Q(is_open=True, statutory_stage__lt=2),
                name="watch_open_statutory",
            ),
            models.Index(
                fields=["applied_at"],
                condition=models.Q(
                    is_open=True, accepted_at__isnull=True, acceptance_flagged=False
                ),
                name="watch_open_unaccepted",
            ),
            models.Index(
                fields=["case_number"],
                condition=models.Q(time_dirty=True),
                name="watch_time_dirty",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number


class WatchState(models.Model):
    """The watermark of the stream rules: the last process record they have read."""

    name = models.CharField(max_length=40, primary_key=True)
    last_record_pk = models.BigIntegerField(default=0)
    watched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("监察进度")
        verbose_name_plural = _("监察进度")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_record_pk}"


class ComplaintSubject(models.TextChoices):
    CASE = "case", _("办件")
    DEPARTMENT = "department", _("部门")
    ITEM = "item", _("事项")
    HALL = "hall", _("大厅服务")


class ComplaintState(models.TextChoices):
    HANDLING = "handling", _("办理中")
    ANSWERED = "answered", _("已答复")
    RATED = "rated", _("已评价")


class Complaint(models.Model):
    """我要投诉: routed by level to the responsible department (归口负责、分级办理)."""

    number = models.CharField(_("投诉编号"), max_length=24, unique=True)
    query_code_hash = models.CharField(_("查询码摘要"), max_length=64)
    subject = models.CharField(_("投诉对象"), max_length=12, choices=ComplaintSubject.choices)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    implementation_code = models.CharField(_("实施编码"), max_length=32, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    content = models.TextField(_("投诉内容"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The mobile number is kept only as a blind key (to count repeat complainants) and
    # masked for display; the complainant is reached through the query code.
    phone_masked = models.CharField(_("联系电话"), max_length=16, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=ComplaintState.choices, default=ComplaintState.HANDLING
    )
    received_at = models.DateTimeField(_("受理时间"))
    due_date = models.DateField(_("答复期限"))
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.CharField(_("答复人"), max_length=150, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["region_code", "received_at"], name="complaint_region_time"),
            models.Index(fields=["state", "due_date"], name="complaint_state_due"),
        ]

    def __str__(self) -> str:
        return self.number


class FollowUpState(models.TextChoices):
    OPEN = "open", _("待回访")
    CALLED_BACK = "called_back", _("已回访，整改中")
    RECTIFIED = "rectified", _("已整改，待复评")
    CLOSED = "closed", _("已复评")


BAD_RATING_TAGS = (
    "超过法定办理时间",
    "未在承诺时间内办结",
    "在办事指南之外增加新的审批条件/材料",
    "服务态度差",
    "多次跑动",
    "系统操作不便",
)


class RatingFollowUp(models.Model):
    """The follow-up of one bad rating (不满意 / 非常不满意): 回访 by a deadline in hours,
    rectification within working days (both from the region's HC01 rule), the rater told
    of the outcome and able to re-rate. Opened from the rating's process record, so
    ratings pushed by branch halls are followed up like the hall's own."""

    record_id = models.UUIDField(_("评价记录标识"), unique=True)
    case_number = models.CharField(_("办件编号"), max_length=40)
    implementation_code = models.CharField(_("实施编码"), max_length=32)
    item_name = models.CharField(_("事项名称"), max_length=200, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12)
    department_code = models.CharField(_("部门统一社会信用代码"), max_length=18)
    department_name = models.CharField(_("部门名称"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=60, default="local")
    level = models.PositiveSmallIntegerField(_("评价等级"))
    comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    tags = models.JSONField(_("差评标签"), default=list)
    channel = models.CharField(_("评价渠道"), max_length=12, blank=True)
    real_name = models.BooleanField(_("实名评价"), default=True)
    rated_at = models.DateTimeField(_("评价时间"))
    callback_due = models.DateTimeField(_("回访期限"))
    rectify_due = models.DateField(_("整改期限"))
    state = models.CharField(
        _("状态"), max_length=12, choices=FollowUpState.choices, default=FollowUpState.OPEN
    )
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_note = models.TextField(_("回访情况"), blank=True)
    rectified_at = models.DateTimeField(_("整改时间"), null=True, blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    handled_by = models.CharField(_("经办人"), max_length=150, blank=True)
    rerated_level = models.PositiveSmallIntegerField(_("复评等级"), null=True, blank=True)
    rerated_at = models.DateTimeField(_("复评时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评回访整改")
        verbose_name_plural = _("差评回访整改")
        ordering = ["-rated_at", "-pk"]
        indexes = [
            models.Index(fields=["region_code", "rated_at"], name="followup_region_time"),
            models.Index(fields=["state", "callback_due"], name="followup_state_due"),
            models.Index(fields=["case_number"], name="followup_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.level}"


class Indicator(models.TextChoices):
    """The indicators of 绩效考评; how each is counted is in ``services.scoring``."""

    ON_TIME = "on_time", _("按承诺时限办结率")
    WARNING_DEDUCTION = "warning_deduction", _("黄牌红牌扣分")
    WARNING_RECTIFIED = "warning_rectified", _("预警整改办结率")
    COMPLAINT_ON_TIME = "complaint_on_time", _("投诉按期答复率")
    COMPLAINT_SATISFACTION = "complaint_satisfaction", _("投诉答复满意率")
    RATING_SATISFACTION = "rating_satisfaction", _("好差评满意率")
    FOLLOW_UP_RECTIFIED = "follow_up_rectified", _("差评整改率")
    MONITORING_TARGETS = "monitoring_targets", _("监测指标达标率（三率一数）")


class ScoringRule(models.Model):
    """One indicator's weight and formula for a region ("" = every region), versioned like
    the warning rules. ``rate``: weight × numerator ÷ denominator (the full weight when
    nothing was counted); ``deduction``: weight − points per red and per yellow card,
    not below zero."""

    class Kind(models.TextChoices):
        RATE = "rate", _("比率计分")
        DEDUCTION = "deduction", _("扣分")

    indicator = models.CharField(_("指标"), max_length=30, choices=Indicator.choices)
    region_code = models.CharField(_("适用区划"), max_length=12, blank=True, default="")
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    weight = models.DecimalField(_("权重（分）"), max_digits=5, decimal_places=2)
    kind = models.CharField(_("计分方法"), max_length=10, choices=Kind.choices)
    points_per_red = models.DecimalField(
        _("每张红牌扣分"), max_digits=5, decimal_places=2, default=0
    )
    points_per_yellow = models.DecimalField(
        _("每张黄牌扣分"), max_digits=5, decimal_places=2, default=0
    )
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考评规则")
        verbose_name_plural = _("考评规则")
        ordering = ["indicator", "region_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region_code", "version"], name="supervision_scoring_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.weight}"
