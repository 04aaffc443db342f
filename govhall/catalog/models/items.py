"""Items (事项), their versions and the content of each version.

An ``Item`` is the stable identity of one department's implementation of a catalogue
entry: its implementation code never changes. Everything an editor can change lives in
an ``ItemVersion`` and the rows hanging off it (materials, steps, fees, FAQs, special
procedures, relations). A version is editable only while it is a draft; once
submitted it is frozen, so every change is a new version and a published version stays
readable for ever. ``Item.current`` points at the published version in force.

Rows are written only by ``govhall.catalog.services``; see ``services/documents.py``
for the one dictionary shape ("item document") used by the API, Excel and JSON export.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govhall.accounts.models import RealNameLevel
from govhall.regions.models import Department, Region

from .choices import (
    COMPANY_CODES,
    STEP_POSTS,
    CaseType,
    ChangeType,
    Depth,
    ExerciseLevel,
    HandlingScope,
    ItemType,
    MaterialMedia,
    MaterialSource,
    RelationKind,
    RiskLevel,
    SpecialProcedureKind,
)
from .themes import Theme


class BasicItem(models.Model):
    """An entry of the basic catalogue (基本目录): one basic code shared by all regions."""

    code = models.CharField(_("基本编码"), max_length=10, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("基本目录事项")
        verbose_name_plural = _("基本目录事项")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_sub_item(self) -> bool:
        return not self.code.endswith("000")


class ItemQuerySet(models.QuerySet):
    def published(self) -> ItemQuerySet:
        """Items in force: active, with a published version (what the portal shows)."""
        return self.filter(status=Item.Status.ACTIVE, current__isnull=False)

    def for_audience(self, audience: str) -> ItemQuerySet:
        """``person`` or ``company`` (the portal's 个人办事 / 法人办事)."""
        return self.filter(audience_q(audience))

    def in_region(self, region: Region, descendants: bool = False) -> ItemQuerySet:
        if descendants:
            return self.filter(region__code__startswith=region.prefix)
        return self.filter(region=region)


def audience_q(audience: str, prefix: str = "current__") -> Q:
    """A filter on the published version's audience codes for ``person``/``company``."""
    codes = {"person": "1", "company": "".join(sorted(COMPANY_CODES))}.get(audience, audience)
    condition = Q()
    for code in codes:
        condition |= Q(**{f"{prefix}audience_codes__contains": code})
    return condition


class Item(models.Model):
    """One department's implementation of a catalogue entry (实施清单事项)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("未发布")
        ACTIVE = "active", _("在用")
        SUSPENDED = "suspended", _("暂停")
        CANCELLED = "cancelled", _("已取消")

    implementation_code = models.CharField(_("实施编码"), max_length=32, unique=True)
    basic_item = models.ForeignKey(
        BasicItem, verbose_name=_("基本目录事项"), on_delete=models.PROTECT, related_name="items"
    )
    basic_code = models.CharField(_("基本编码"), max_length=10, db_index=True, editable=False)
    item_type = models.CharField(
        _("事项类型"), max_length=2, choices=ItemType.choices, db_index=True, editable=False
    )
    department = models.ForeignKey(
        Department, verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="items"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="items"
    )
    exercise_level = models.CharField(
        _("行使层级"), max_length=1, choices=ExerciseLevel.choices, editable=False
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("主项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_items",
        help_text=_("子项所属的主项（同一部门）。"),
    )
    # A copy of the name of the newest version, for lists and relations; set by services.
    name = models.CharField(_("事项名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    current = models.OneToOneField(
        "catalog.ItemVersion",
        verbose_name=_("现行版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("目录确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("目录确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["region__code", "basic_code", "implementation_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "basic_item"], name="item_unique_per_department"
            ),
        ]
        indexes = [models.Index(fields=["status", "region"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.implementation_code}）"

    def get_absolute_url(self) -> str:
        return reverse("catalog:guide", kwargs={"code": self.implementation_code})

    @property
    def is_sub_item(self) -> bool:
        return not self.basic_code.endswith("000")

    @property
    def latest_version(self) -> ItemVersion | None:
        return self.versions.order_by("-number").first()


class ItemVersion(models.Model):
    """The full content of an item at one version: the service guide and business manual."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审查")
        RETURNED = "returned", _("已退回")
        REVIEWED = "reviewed", _("审查通过，待发布")
        PUBLISHED = "published", _("现行版本")
        SUPERSEDED = "superseded", _("历史版本")
        DISCARDED = "discarded", _("已作废")

    EDITABLE_STATES = frozenset({State.DRAFT})
    # States of versions anybody may read (published now or before).
    PUBLIC_STATES = frozenset({State.PUBLISHED, State.SUPERSEDED})
    # States that count as "passed review".
    PASSED_STATES = frozenset({State.REVIEWED, State.PUBLISHED, State.SUPERSEDED})

    item = models.ForeignKey(
        Item, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    change_type = models.CharField(
        _("变更类型"), max_length=10, choices=ChangeType.choices, default=ChangeType.NEW
    )
    change_summary = models.CharField(_("变更说明"), max_length=500, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("基于版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_items = models.ManyToManyField(
        Item,
        verbose_name=_("拆分或合并的来源事项"),
        blank=True,
        related_name="derived_versions",
    )

    # --- basic information (基本信息) ---
    name = models.CharField(_("事项名称"), max_length=200)
    aliases = models.CharField(
        _("别名、俗称"), max_length=500, blank=True, help_text=_("以顿号或逗号分隔，供检索。")
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)
    joint_departments = models.CharField(_("共同实施部门"), max_length=300, blank=True)
    intermediary_services = models.TextField(_("中介服务"), blank=True)
    quantity_limit = models.CharField(_("数量限制"), max_length=300, blank=True)
    audience_codes = models.CharField(
        _("服务对象"), max_length=6, help_text=_("GB/T 39046服务对象代码，如“12”。")
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("服务主题"), blank=True, related_name="item_versions"
    )
    handling_scope = models.CharField(
        _("通办范围"), max_length=10, choices=HandlingScope.choices, default=HandlingScope.LOCAL
    )
    conditions = models.TextField(_("受理条件"), blank=True)

    # --- time limits (时限, in working days) ---
    statutory_limit_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), null=True, blank=True, help_text=_("空表示无法定时限。")
    )
    statutory_limit_note = models.CharField(_("法定时限说明"), max_length=300, blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), help_text=_("0表示即办。")
    )
    promised_limit_note = models.CharField(_("承诺时限说明"), max_length=300, blank=True)
    case_type = models.CharField(_("办件类型"), max_length=1, choices=CaseType.choices)

    # --- fees (收费) ---
    has_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)

    # --- visits and online depth ---
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    visits_reason = models.CharField(_("必须现场办理原因"), max_length=300, blank=True)
    depth = models.PositiveSmallIntegerField(_("网上办理深度"), choices=Depth.choices)
    # §4: the applicant's account must have at least this real-name level to apply.
    min_realname_level = models.PositiveSmallIntegerField(
        _("最低实名等级"), choices=RealNameLevel.choices, default=RealNameLevel.SELF_REGISTERED
    )

    # --- channels (办理形式) and services ---
    channel_online = models.BooleanField(_("电脑端网上办理"), default=False)
    channel_mobile = models.BooleanField(_("移动端办理"), default=False)
    channel_counter = models.BooleanField(_("窗口办理"), default=True)
    channel_kiosk = models.BooleanField(_("自助终端办理"), default=False)
    channel_post = models.BooleanField(_("快递申请"), default=False)
    supports_appointment = models.BooleanField(_("支持预约办理"), default=False)
    supports_online_payment = models.BooleanField(_("支持网上支付"), default=False)
    supports_logistics = models.BooleanField(_("支持物流快递"), default=False)

    # --- result (结果) ---
    result_name = models.CharField(_("审批结果名称"), max_length=200, blank=True)
    result_licence_type = models.CharField(
        _("结果电子证照类型代码"), max_length=40, blank=True, help_text=_("结果为电子证照时填写。")
    )
    result_sample = models.CharField(_("审批结果样本"), max_length=300, blank=True)
    repeat_while_held = models.BooleanField(
        _("持有有效结果证照时可再次申请"),
        default=True,
        help_text=_(
            "结果为电子证照时适用：取消勾选的，申请人持有该证照且仍在有效期内时不能再次申请"
            "（如低保证、结婚证，一人只应持有一份；换证、补证、变更另设事项）。"
        ),
    )
    delivery_pickup = models.BooleanField(_("窗口领取"), default=True)
    delivery_post = models.BooleanField(_("邮寄送达"), default=False)
    delivery_electronic = models.BooleanField(_("电子送达"), default=False)

    # --- where and whom to ask ---
    location = models.CharField(_("办理地点"), max_length=300, blank=True)
    office_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consultation_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    supervision_phone = models.CharField(_("监督投诉电话"), max_length=100, blank=True)

    # --- business manual only (业务手册) ---
    manual_notes = models.TextField(_("业务办理要点"), blank=True)

    # --- online application (see catalog.services.forms for the shapes) ---
    form_fields = models.JSONField(_("申请表单"), default=list, blank=True)
    decision_rules = models.JSONField(_("秒批规则"), default=dict, blank=True)

    # --- bookkeeping ---
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state="published"),
                name="itemversion_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}（{self.get_state_display()}）"

    def get_absolute_url(self) -> str:
        return reverse(
            "catalog:guide-version",
            kwargs={"code": self.item.implementation_code, "number": self.number},
        )

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    @property
    def audiences(self) -> list[str]:
        return list(self.audience_codes)

    @property
    def serves_person(self) -> bool:
        return "1" in self.audience_codes

    @property
    def serves_company(self) -> bool:
        return any(c in COMPANY_CODES for c in self.audience_codes)

    @property
    def is_fully_online(self) -> bool:
        """网上全流程办理: depth 3 or 4 and at most one visit (潮府办函〔2017〕135号 名词解释)."""
        return self.depth >= Depth.ONLINE_ACCEPTANCE and self.visits <= 1

    @property
    def is_rule_decidable(self) -> bool:
        """秒批: the catalogue gives rules that decide at submission."""
        return bool(self.decision_rules)

    @property
    def deliveries(self) -> list[str]:
        """The ways of delivery the guide lists (``electronic``, ``post``, ``pickup``).

        A result that is an e-licence is issued into the holder's 我的证照, so it is always
        delivered electronically, and that way comes first; paper ways follow as ticked.
        """
        ticked = {
            "electronic": self.delivery_electronic or bool(self.result_licence_type),
            "post": self.delivery_post,
            "pickup": self.delivery_pickup,
        }
        order = (
            ("electronic", "post", "pickup")
            if self.result_licence_type or self.delivery_electronic
            else ("pickup", "post")
        )
        return [way for way in order if ticked[way]]

    @property
    def alias_list(self) -> list[str]:
        parts = self.aliases.replace("，", "、").replace(",", "、").split("、")
        return [p.strip() for p in parts if p.strip()]


class VersionChild(models.Model):
    """Rows that belong to one version and are copied into the next one."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="+")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]


class Material(VersionChild):
    """申请材料: what the item needs, and whether the applicant brings it or the hall fetches it."""

    version = models.ForeignKey(
        ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="materials"
    )
    code = models.CharField(
        _("材料编号"), max_length=20, help_text=_("在事项内唯一，跨版本不变，供情形引导引用。")
    )
    name = models.CharField(_("材料名称"), max_length=200)
    issuer = models.CharField(_("出具机构"), max_length=200, blank=True)
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    required = models.BooleanField(_("是否必需"), default=True)
    condition = models.CharField(
        _("适用情形"), max_length=300, blank=True, help_text=_("仅在某种情形下需要时填写。")
    )
    media = models.CharField(
        _("材料形式"), max_length=12, choices=MaterialMedia.choices, default=MaterialMedia.BOTH
    )
    source = models.CharField(
        _("来源渠道"),
        max_length=12,
        choices=MaterialSource.choices,
        default=MaterialSource.APPLICANT,
    )
    licence_type_code = models.CharField(_("电子证照类型代码"), max_length=40, blank=True)
    licence_type_name = models.CharField(_("电子证照类型名称"), max_length=100, blank=True)
    shared_data_source = models.CharField(_("共享数据来源"), max_length=200, blank=True)
    requirements = models.CharField(_("材料要求"), max_length=500, blank=True)

    class Meta(VersionChild.Meta):
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="material_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def fetched_by_hall(self) -> bool:
        """True when the hall obtains it itself (e-licence or shared data)."""
        return self.source != MaterialSource.APPLICANT


class Step(VersionChild):
    """办理环节 with its time limit, the post that does it and its integrity-risk points."""

    version = models.ForeignKey(
        ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="steps"
    )
    name = models.CharField(_("环节名称"), max_length=100)
    post = models.CharField(_("办理岗位"), max_length=30, choices=STEP_POSTS)
    time_limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"), default=0)
    department = models.ForeignKey(
        Department,
        verbose_name=_("办理部门（跨层级时填写）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空时由实施主体办理；如县级受理、市级决定，在决定环节填写市级部门。"),
    )
    # Whether the handler of this step may send the case back to the step before it.
    may_return = models.BooleanField(
        _("可退回上一环节"),
        default=True,
        help_text=_("办理人可将办件退回上一环节重新办理（第一个办理环节除外）。"),
    )
    criteria = models.TextField(_("审查标准"), blank=True)
    result = models.CharField(_("环节结果"), max_length=200, blank=True)
    risk_points = models.TextField(_("廉政风险点"), blank=True)
    risk_level = models.CharField(
        _("风险等级"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    risk_controls = models.TextField(_("防控措施"), blank=True)

    class Meta(VersionChild.Meta):
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return self.name


class Fee(VersionChild):
    version = models.ForeignKey(
        ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="fees"
    )
    name = models.CharField(_("收费项目"), max_length=200)
    standard = models.CharField(_("收费标准"), max_length=300)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    basis = models.CharField(_("收费依据"), max_length=300, blank=True)
    reducible = models.BooleanField(_("是否允许减免"), default=False)
    reduction_conditions = models.TextField(
        _("减免条件"),
        blank=True,
        help_text=_("可减免的情形及依据，如“最低生活保障对象免收”；核定收费时显示给工作人员。"),
    )

    class Meta(VersionChild.Meta):
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")

    def __str__(self) -> str:
        return self.name


class FAQ(VersionChild):
    version = models.ForeignKey(
        ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="faqs"
    )
    question = models.CharField(_("问题"), max_length=300)
    answer = models.TextField(_("解答"))

    class Meta(VersionChild.Meta):
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")

    def __str__(self) -> str:
        return self.question


class SpecialProcedure(VersionChild):
    version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("版本"),
        on_delete=models.CASCADE,
        related_name="special_procedures",
    )
    kind = models.CharField(_("特别程序种类"), max_length=20, choices=SpecialProcedureKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    time_limit_days = models.PositiveSmallIntegerField(_("时限（工作日）"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta(VersionChild.Meta):
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")

    def __str__(self) -> str:
        return self.name


class ItemRelation(VersionChild):
    """A prerequisite, follow-on or related item, declared by this version."""

    version = models.ForeignKey(
        ItemVersion, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="relations"
    )
    kind = models.CharField(_("关系"), max_length=15, choices=RelationKind.choices)
    target = models.ForeignKey(
        Item, verbose_name=_("关联事项"), on_delete=models.PROTECT, related_name="incoming"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta(VersionChild.Meta):
        verbose_name = _("事项关系")
        verbose_name_plural = _("事项关系")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "target"], name="itemrelation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.target}"
