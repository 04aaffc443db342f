"""The case record (办件) and its tasks, notices and suspensions.

A case belongs to one item and one responsible department. It changes state only
through ``govhall.cases.services.transitions`` (one explicit table); every change
appends a process record and one audit entry. The open tasks (``CaseStep`` rows with
``state=open``) are what the staff inboxes list, so they carry a copy of what an
inbox row shows and are indexed for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.accounts.models import Company, Person
from govhall.catalog.models import CaseType, Item, ItemVersion
from govhall.core.models.inserts import CompiledInsert
from govhall.regions.models import Department, Hall, Post, Region

from .applications import Application, Channel


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    AWAITING_CORRECTION = "awaiting_correction", _("待补正")
    IN_PROGRESS = "in_progress", _("办理中")
    SUSPENDED = "suspended", _("特别程序中")
    DECIDED = "decided", _("已决定")
    AWAITING_PAYMENT = "awaiting_payment", _("待缴费")
    CONCLUDED = "concluded", _("已办结")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = (
    CaseState.SUBMITTED,
    CaseState.AWAITING_CORRECTION,
    CaseState.IN_PROGRESS,
    CaseState.SUSPENDED,
    CaseState.DECIDED,
    CaseState.AWAITING_PAYMENT,
)
FINAL_STATES = (CaseState.CONCLUDED, CaseState.REJECTED, CaseState.WITHDRAWN)


class Decision(models.TextChoices):
    APPROVE = "approve", _("准予")
    DENY = "deny", _("不予")


class Delivery(models.TextChoices):
    ELECTRONIC = "electronic", _("电子送达")
    POST = "post", _("邮寄送达")
    PICKUP = "pickup", _("窗口领取")


class ConclusionCode(models.TextChoices):
    """Conclusion codes of Guangdong's hall exchange messages (GB/T 39046-2020 table 8)."""

    ISSUED = "0", _("出证办结")
    RETURNED = "1", _("退回")
    VOIDED = "2", _("作废")
    DELETED = "3", _("删除")
    FORWARDED = "4", _("转报")
    CORRECTION_OVERDUE = "5", _("补交逾期")
    OTHER = "6", _("其他")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    COMPANY = "company", _("法人")


class BundleCase(models.Model):
    """One application for a bundle (一件事): its cases conclude together."""

    number = models.CharField(_("一件事办件编号"), max_length=40, unique=True)
    application = models.OneToOneField(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="bundle_case"
    )
    bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="+"
    )
    is_concluded = models.BooleanField(_("已全部办结"), default=False)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("一件事办件")
        verbose_name_plural = _("一件事办件")

    def __str__(self) -> str:
        return f"{self.number} {self.bundle.name}"


class Case(CompiledInsert, models.Model):
    number = models.CharField(_("办件编号"), max_length=40)  # unique: Meta.constraints
    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="cases"
    )
    bundle_case = models.ForeignKey(
        BundleCase,
        verbose_name=_("一件事办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # partial index in Meta: most cases have none
    )
    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    item_version = models.ForeignKey(
        ItemVersion, verbose_name=_("事项版本"), on_delete=models.PROTECT, related_name="+"
    )
    item_name = models.CharField(_("事项名称"), max_length=200)
    implementation_code = models.CharField(_("实施编码"), max_length=32)
    # FK indexes that are prefixes of the composite indexes in Meta are left out: every
    # index costs each of the hall's inserts.
    department = models.ForeignKey(
        Department,
        verbose_name=_("实施主体"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("行政区划"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    accepting_department = models.ForeignKey(
        Department,
        verbose_name=_("受理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index in Meta: most cases have none
        help_text=_("一门式或全城通办时，代为受理的部门（综合窗口）。"),
    )
    accepting_hall = models.ForeignKey(
        Hall,
        verbose_name=_("受理大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index in Meta: most cases have none
    )
    case_type = models.CharField(_("办件类型"), max_length=1, choices=CaseType.choices)
    channel = models.CharField(_("申请渠道"), max_length=12, choices=Channel.choices)
    # The third-party channel's OAuth2 client the case came through (docs/channels.md).
    channel_client = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("第三方渠道客户端"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index in Meta: most cases have none
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=CaseState.choices, default=CaseState.SUBMITTED
    )

    # applicant (the ID number itself stays encrypted on Person)
    applicant_kind = models.CharField(_("申请人类型"), max_length=10, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("申请人名称"), max_length=200)
    applicant_key = models.CharField(
        _("申请人证件索引"),
        max_length=64,
        help_text=_("自然人为身份证号码的盲索引，法人为统一社会信用代码。"),
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("申请人（自然人）"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("申请人（法人）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办事账号"),
        null=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    # clocks (computed only by services.clocks)
    submitted_at = models.DateTimeField(_("申请时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    acceptance_due = models.DateField(_("受理期限"), null=True, blank=True)
    statutory_limit_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"), null=True)
    promised_limit_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("延长时限（工作日）"), default=0)
    statutory_due = models.DateField(_("法定办结日期"), null=True, blank=True)
    promised_due = models.DateField(_("承诺办结日期"), null=True, blank=True)
    calendar_complete = models.BooleanField(_("节假日数据完整"), default=True)
    document_number = models.CharField(_("受理文书编号"), max_length=60, blank=True)

    # decision and conclusion
    decision = models.CharField(_("审批决定"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    auto_decided = models.BooleanField(_("秒批"), default=False)
    rule_results = models.JSONField(_("秒批规则结果"), default=list, blank=True)
    review_requested_at = models.DateTimeField(_("申请人工复核时间"), null=True, blank=True)
    review_deadline = models.DateField(_("可申请人工复核至"), null=True, blank=True)
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    conclusion_code = models.CharField(
        _("办结类型"), max_length=1, choices=ConclusionCode.choices, blank=True
    )
    result_name = models.CharField(_("结果名称"), max_length=200, blank=True)
    result_number = models.CharField(_("结果文号/证照编号"), max_length=100, blank=True)
    result_valid_until = models.DateField(_("结果有效期至"), null=True, blank=True)
    delivery = models.CharField(_("送达方式"), max_length=12, choices=Delivery.choices, blank=True)
    tracking_number = models.CharField(_("快递单号"), max_length=40, blank=True)
    delivery_address = models.CharField(_("送达地址"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("送达/领取时间"), null=True, blank=True)
    fee = models.DecimalField(
        _("收费金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    withdrawal_reason = models.CharField(_("撤回理由"), max_length=300, blank=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        constraints = [models.UniqueConstraint(fields=["number"], name="case_unique_number")]
        indexes = [
            models.Index(fields=["department", "state"], name="case_dept_state"),
            models.Index(fields=["user", "-submitted_at"], name="case_user_recent"),
            # Partial where most cases have no value: a row whose column is NULL writes no
            # entry, so a case's insert (and an update that is not HOT, such as the deadline
            # scan's moving dates when the page has no room) touches five indexes fewer.
            # Lookups by a value (``= x``, ``IN``, the foreign keys' checks) use them as before.
            models.Index(
                fields=["company", "-submitted_at"],
                condition=models.Q(company__isnull=False),
                name="case_company_recent",
            ),
            *(
                models.Index(
                    fields=[name], condition=models.Q((f"{name}__isnull", False)), name=index
                )
                for name, index in (
                    ("accepting_department", "case_accepting_department"),
                    ("accepting_hall", "case_accepting_hall"),
                    ("bundle_case", "case_bundle_case"),
                    ("channel_client", "case_channel_client"),
                )
            ),
            models.Index(fields=["region", "submitted_at"], name="case_region_time"),
            models.Index(fields=["applicant_key"], name="case_applicant_key"),
            models.Index(fields=["implementation_code"], name="case_implementation_code"),
            # The deadline scan's selection of auto-decided cases past their review window.
            models.Index(
                fields=["review_deadline"],
                condition=models.Q(state="decided", auto_decided=True),
                name="case_review_window",
            ),
            # The deadline scan: open cases whose dates were computed without holiday data.
            models.Index(
                fields=["state"],
                condition=models.Q(calendar_complete=False),
                name="case_calendar_incomplete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item_name}"

    def get_absolute_url(self) -> str:
        return f"/my/cases/{self.number}/"  # the portal's case page (cases.urls "detail")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def due_date(self):
        """The date the applicant is told: the promised one, else the statutory one."""
        return self.promised_due or self.statutory_due


class StepState(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已办")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已取消")


class StepAction(models.TextChoices):
    PASS = "pass", _("通过")
    RETURN = "return", _("退回")
    OTHER = "other", _("其他")


ACCEPTANCE_STEP = "受理"


class CaseStep(CompiledInsert, models.Model):
    """One task of a case: acceptance, then each of the item's steps, at its department.

    The inbox columns (``item_name``, ``applicant_name``, ``case_number``, ``case_state``)
    are copies so an inbox page of a million-case department is one indexed read.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="steps", db_index=False
    )
    sequence = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(
        _("环节代码"), max_length=2, help_text=_("0 受理，1 承办，2 审核，3 批准")
    )
    name = models.CharField(_("环节名称"), max_length=100)
    # Which catalogue step this task is (services.steps): names may repeat (审核, 审核).
    catalogue_index = models.PositiveSmallIntegerField(
        _("事项环节序号"),
        null=True,
        blank=True,
        help_text=_("本任务对应事项的第几个办理环节（从0起）；受理及非事项环节为空。"),
    )
    post = models.CharField(_("办理岗位"), max_length=30, choices=Post.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("办理部门"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the inbox index starts with it
    )
    region_code = models.CharField(_("办理部门区划"), max_length=12)
    state = models.CharField(
        _("状态"), max_length=10, choices=StepState.choices, default=StepState.OPEN
    )
    time_limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=0)
    started_at = models.DateTimeField(_("开始时间"))
    due_date = models.DateField(_("环节到期日"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index in Meta: an open task has none
    )
    action = models.CharField(_("办理动作"), max_length=10, choices=StepAction.choices, blank=True)
    opinion = models.TextField(_("办理意见"), blank=True)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    # inbox copies
    case_number = models.CharField(_("办件编号"), max_length=40)
    case_state = models.CharField(_("办件状态"), max_length=20, choices=CaseState.choices)
    item_name = models.CharField(_("事项名称"), max_length=200)
    applicant_name = models.CharField(_("申请人"), max_length=200)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="casestep_unique_sequence"),
        ]
        indexes = [
            models.Index(fields=["department", "post", "state", "due_date"], name="casestep_inbox"),
            # Only the tasks someone handled: an open task's row (written again whenever its
            # due date moves: never HOT, the due date is in the inbox index) writes no entry.
            models.Index(
                fields=["handler"],
                condition=models.Q(handler__isnull=False),
                name="casestep_handler",
            ),
            # The deadline scan's reminders: open tasks not yet reminded, by due date, outside
            # special procedures — exactly its selection (``deadlines.due_tasks``): with the
            # suspended cases' tasks inside, every run read each of them to drop it again.
            models.Index(
                fields=["due_date"],
                condition=models.Q(state="open", reminded_at__isnull=True)
                & ~models.Q(case_state="suspended"),
                name="casestep_due_unreminded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.name}"


class CorrectionNotice(models.Model):
    """一次性告知: everything missing or wrong, listed at once."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="corrections"
    )
    items = models.JSONField(
        _("补正内容"), help_text=_("[{material_code, name, problem}]，每项材料及问题。")
    )
    note = models.TextField(_("补充说明"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("告知时间"))
    corrected_at = models.DateTimeField(_("补正时间"), null=True, blank=True)
    applicant_note = models.TextField(_("申请人说明"), blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.case.number} 补正告知"


class SuspensionKind(models.TextChoices):
    CORRECTION = "correction", _("补正")
    HEARING = "hearing", _("听证")
    TESTING = "testing", _("检验检测")
    INSPECTION = "inspection", _("现场勘查")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    PAYMENT = "payment", _("待缴费")  # govhall.payments: docs/adr/0011
    OTHER = "other", _("其他特别程序")


class Suspension(models.Model):
    """A period the clock stands still (补正, 特别程序): from ``started_on`` to ``ended_on``."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="suspensions"
    )
    kind = models.CharField(_("种类"), max_length=20, choices=SuspensionKind.choices)
    reason = models.CharField(_("理由"), max_length=500)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    result = models.CharField(_("结果"), max_length=500, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("时限暂停")
        verbose_name_plural = _("时限暂停")
        ordering = ["started_on", "pk"]
        indexes = [
            # The deadline scan: cases whose clock stands still today.
            models.Index(
                fields=["case"], condition=models.Q(ended_on__isnull=True), name="suspension_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"


class Rating(models.Model):
    """好差评: one per case online (the supervision subsystem follows up bad ones)."""

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 1, _("非常满意")
        SATISFIED = 2, _("满意")
        FAIRLY_SATISFIED = 3, _("基本满意")
        DISSATISFIED = 4, _("不满意")
        VERY_DISSATISFIED = 5, _("非常不满意")

    case = models.OneToOneField(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="rating"
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.CharField(_("评价内容"), max_length=500, blank=True)
    channel = models.CharField(_("评价渠道"), max_length=10, default="pc")
    channel_client = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("第三方渠道客户端"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办件评价")
        verbose_name_plural = _("办件评价")

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level >= 4


class CaseNumberCounter(models.Model):
    """The last sequence used per department and day, for gap-free unique case numbers."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="casenumber_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.day} {self.last}"


class ClockScan(models.Model):
    """A day on which the deadline scan brought every suspended clock up to date, and the
    holiday calendar it used.

    A suspended clock moves only when the day changes or the calendar is edited: an action
    that starts or ends a suspension recomputes its case's dates there and then. So once a
    day's scan has finished, the day's later scans (95 of 96) have no clock to move while
    the calendar stays as it was, and skip the recomputation.
    """

    day = models.DateField(_("日期"), unique=True)
    calendar_version = models.CharField(_("节假日日历版本"), max_length=100)
    finished_at = models.DateTimeField(_("完成时间"))

    class Meta:
        verbose_name = _("计时扫描")
        verbose_name_plural = _("计时扫描")

    def __str__(self) -> str:
        return f"{self.day} {self.calendar_version}"
