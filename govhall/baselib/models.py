"""Base libraries (基础信息库): population (人口库) and legal persons (法人库).

Every attribute is declared as data (``AttributeDefinition``: code, Chinese name, library,
owner department) and has exactly one authoritative source: the department that owns it.
An entry keeps the *current* datum of each attribute in one JSON column,
``{code: {"v": value, "d": department id, "t": as-of ISO time, "r": source record}}``,
so a lookup by key is one index probe and one row at 10 million persons; every change
after the first load is appended to ``AttributeChange`` (the history). Updates that
contradict what is stored are held as ``Conflict``\\ s for the owner department.

The population library is keyed by citizen ID number, encrypted at rest and found through
the same blind index as ``accounts.Person`` (so an entry and an account of one person
share an index value); the legal-person library by unified social credit code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.accounts import crypto
from govhall.accounts.fields import EncryptedTextField
from govhall.core.identifiers import mask_id_number


class Library(models.TextChoices):
    POPULATION = "population", _("人口库")
    LEGAL_PERSON = "legal_person", _("法人库")


class ValueType(models.TextChoices):
    TEXT = "text", _("文本")
    CODE = "code", _("代码")
    DATE = "date", _("日期")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("金额/数值")
    BOOLEAN = "boolean", _("是否")
    ID_NUMBER = "id_number", _("身份证号码（加密存储）")
    CREDIT_CODE = "credit_code", _("统一社会信用代码")
    LIST = "list", _("列表")


class AttributeDefinition(models.Model):
    """One attribute of a library and the department that is its only authoritative
    source (e.g. 婚姻状况 of the population library, owned by civil affairs)."""

    code = models.SlugField(_("属性代码"), max_length=60)
    name = models.CharField(_("属性名称"), max_length=60)
    library = models.CharField(_("所属库"), max_length=20, choices=Library.choices)
    owner = models.ForeignKey(
        "regions.Department",
        verbose_name=_("权威来源部门"),
        on_delete=models.PROTECT,
        related_name="baselib_attributes",
    )
    value_type = models.CharField(
        _("取值类型"), max_length=20, choices=ValueType.choices, default=ValueType.TEXT
    )
    # For ``code`` attributes: {code: Chinese label}, e.g. GB/T 2261.2 marital status.
    choices = models.JSONField(_("代码表"), default=dict, blank=True)
    standard = models.CharField(_("依据标准"), max_length=100, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    # Whether a value identifies or describes a person beyond the key (masked on pages).
    personal = models.BooleanField(_("个人敏感信息"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("基础库属性")
        verbose_name_plural = _("基础库属性")
        ordering = ["library", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["library", "code"], name="baselib_attribute_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PopulationEntry(models.Model):
    """A person of the population library, keyed by ID number."""

    id_number = EncryptedTextField(_("身份证号码"))
    # A constraint rather than ``unique=True``: PostgreSQL then keeps one index, without
    # the extra pattern-ops index Django adds for LIKE on unique text fields.
    id_number_index = models.CharField(_("身份证号码索引"), max_length=64, editable=False)
    attributes = models.JSONField(_("属性现值"), default=dict, blank=True)
    created_at = models.DateTimeField(_("入库时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("人口库条目")
        verbose_name_plural = _("人口库条目")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="baselib_population_key"),
        ]

    def __str__(self) -> str:
        name = (self.attributes.get("name") or {}).get("v", "")
        return f"{name}（{mask_id_number(self.id_number or '')}）"

    def save(self, *args, **kwargs):
        self.id_number_index = self.index_for(self.id_number)
        super().save(*args, **kwargs)

    @staticmethod
    def index_for(id_number: str) -> str:
        """The accounts' blind index (same kind and key as ``accounts.Person``)."""
        return crypto.blind_index("id_number", id_number)

    @property
    def label(self) -> str:
        return mask_id_number(self.id_number or "")


class LegalPersonEntry(models.Model):
    """A legal person of the legal-person library, keyed by unified social credit code."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18)
    attributes = models.JSONField(_("属性现值"), default=dict, blank=True)
    created_at = models.DateTimeField(_("入库时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("法人库条目")
        verbose_name_plural = _("法人库条目")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="baselib_legal_person_key"),
        ]

    def __str__(self) -> str:
        name = (self.attributes.get("name") or {}).get("v", "")
        return f"{name}（{self.credit_code}）"

    @property
    def label(self) -> str:
        return self.credit_code


class UpdateBatch(models.Model):
    """One call of a source feeding updates (exchange push or a service call)."""

    client = models.ForeignKey(
        "exchange.ExchangeClient",
        verbose_name=_("数据交换客户端"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now, db_index=True)
    records = models.PositiveIntegerField(_("记录数"), default=0)
    applied = models.PositiveIntegerField(_("已更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    refused = models.PositiveIntegerField(_("拒收"), default=0)
    conflicts = models.PositiveIntegerField(_("冲突待核"), default=0)

    class Meta:
        verbose_name = _("基础库更新批次")
        verbose_name_plural = _("基础库更新批次")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} · {self.records}"


class AttributeChange(models.Model):
    """The history: one attribute of one entry changed from ``previous`` to ``value``."""

    library = models.CharField(_("所属库"), max_length=20, choices=Library.choices)
    subject_id = models.BigIntegerField(_("条目"))
    # No single-column indexes on the foreign keys: the history is read per subject
    # (the composite index below), and each index would slow every batch of updates.
    attribute = models.ForeignKey(
        AttributeDefinition,
        verbose_name=_("属性"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    value = models.JSONField(_("新值"), null=True)
    previous = models.JSONField(_("原值"), null=True, blank=True)
    source = models.ForeignKey(
        "regions.Department",
        verbose_name=_("来源部门"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    as_of = models.DateTimeField(_("数据时间"))
    record_ref = models.CharField(_("来源记录"), max_length=100)
    batch = models.ForeignKey(
        UpdateBatch,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        db_index=False,
    )
    received_at = models.DateTimeField(_("入库时间"), default=timezone.now)

    class Meta:
        verbose_name = _("属性变更记录")
        verbose_name_plural = _("属性变更记录")
        ordering = ["library", "subject_id", "-as_of", "-pk"]
        indexes = [
            models.Index(
                fields=["library", "subject_id", "attribute"], name="baselib_change_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library}#{self.subject_id} {self.attribute_id} @ {self.as_of:%Y-%m-%d}"


class Conflict(models.Model):
    """An update held back because it contradicts the stored value; its owner decides."""

    class Kind(models.TextChoices):
        SAME_RECORD = "same_record", _("同一来源记录报送了不同的值")
        STALE = "stale", _("较早数据与现值不一致")
        WINDOW = "window", _("短期内同一事实报送了不同的值")

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        ADOPTED = "adopted", _("已采用报送值")
        KEPT = "kept", _("已保留现值")

    library = models.CharField(_("所属库"), max_length=20, choices=Library.choices)
    subject_id = models.BigIntegerField(_("条目"))
    subject_label = models.CharField(_("对象（已脱敏）"), max_length=100)
    owner = models.ForeignKey(
        "regions.Department",
        verbose_name=_("权威来源部门"),
        on_delete=models.PROTECT,
        related_name="baselib_conflicts",
    )
    kind = models.CharField(_("冲突类型"), max_length=20, choices=Kind.choices)
    # The whole reported record ({code: value}), its time and source record, and the
    # attributes that disagree with what is stored: {code: stored datum}.
    reported = models.JSONField(_("报送值"))
    reported_as_of = models.DateTimeField(_("报送数据时间"))
    reported_ref = models.CharField(_("报送来源记录"), max_length=100)
    stored = models.JSONField(_("现值"))
    batch = models.ForeignKey(
        UpdateBatch,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("数据冲突")
        verbose_name_plural = _("数据冲突")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "status"], name="baselib_conflict_owner")]

    def __str__(self) -> str:
        return f"{self.subject_label} · {self.get_kind_display()}"


class ThemeLibrary(models.Model):
    """A thematic library (主题库): a named view on one base library, defined by
    conditions on its attributes, e.g. 低保 households or the elderly aged 80 and over.

    ``conditions`` is a list of ``{"attribute": code, "op": op, "value": value}`` (all must
    hold); the operators are those of ``services.themes.OPERATORS``. The count is
    refreshed by a periodic job, because counting ten million rows is not a page load.
    """

    code = models.SlugField(_("主题库代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    library = models.CharField(_("基础库"), max_length=20, choices=Library.choices)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    conditions = models.JSONField(_("条件"), default=list)
    fields = models.JSONField(_("列出属性"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    count = models.PositiveBigIntegerField(_("条目数"), null=True, blank=True)
    counted_at = models.DateTimeField(_("统计时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("主题库")
        verbose_name_plural = _("主题库")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
