"""Knowledge base (知识库), assistant conversations, the learning queue and consultations.

A ``Clause`` is one addressable piece of a published guide — its conditions, one
material, one fee, the statutory or promised limit, visits, where and when, legal
basis, result, one FAQ — keyed by implementation code, version number and section
key. Clauses of every published version are kept (an answer cites a version; a later
version does not make the old citation dangle); ``is_current`` marks the version in
force. ``KnowledgeEntry`` is the question-and-answer library (问答库) that departments
and halls write themselves, published through draft → submitted → published.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.catalog.models import Item, ItemVersion
from govhall.regions.models import Department, Region


class Aspect(models.TextChoices):
    """What a question asks about an item; also the section of a clause."""

    OVERVIEW = "overview", _("事项概要")
    CONDITIONS = "conditions", _("受理条件")
    MATERIALS = "materials", _("申请材料")
    FEES = "fees", _("收费标准")
    TIME_LIMIT = "time_limit", _("办理时限")
    VISITS = "visits", _("到现场次数")
    LOCATION = "location", _("办理地点和时间")
    PROCESS = "process", _("办理流程")
    CHANNELS = "channels", _("办理渠道")
    LEGAL_BASIS = "legal_basis", _("设定依据")
    RESULT = "result", _("办理结果")
    CONSULTATION = "consultation", _("咨询电话")
    FAQ = "faq", _("常见问题")


class Clause(models.Model):
    """One addressable piece of one published guide version."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        ItemVersion, on_delete=models.CASCADE, related_name="assistant_clauses"
    )
    implementation_code = models.CharField(_("实施编码"), max_length=40)
    version_number = models.PositiveIntegerField(_("版本号"))
    section = models.CharField(_("章节"), max_length=20, choices=Aspect.choices)
    key = models.CharField(_("条款编号"), max_length=60)
    title = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("条款原文"))
    tokens = models.TextField(_("检索词"), blank=True)
    region_code = models.CharField(_("区划代码"), max_length=12)
    is_current = models.BooleanField(_("现行版本"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("指南条款")
        verbose_name_plural = _("指南条款")
        ordering = ["version_id", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="clause_unique_key"),
        ]
        indexes = [
            models.Index(fields=["implementation_code", "version_number"]),
            models.Index(fields=["item", "is_current"]),
        ]

    def __str__(self) -> str:
        return f"{self.implementation_code} v{self.version_number} {self.key}"


class KnowledgeEntry(models.Model):
    """A standard answer (问答库): a department's, or a hall's general one (no department)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        RETURNED = "returned", _("已退回")
        RETIRED = "retired", _("已下线")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("为空时是本区划大厅的通用解答（开放时间、账号、如何使用大厅等）。"),
    )
    item = models.ForeignKey(
        Item, verbose_name=_("相关事项"), on_delete=models.SET_NULL, null=True, blank=True
    )
    question = models.CharField(_("问题"), max_length=300)
    phrasings = models.TextField(_("其他问法"), blank=True, help_text=_("每行一种群众常用的问法。"))
    answer = models.TextField(_("解答"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    revision = models.PositiveIntegerField(_("修订号"), default=1)
    tokens = models.TextField(_("检索词"), blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["state", "region"])]

    def __str__(self) -> str:
        return self.question


class Conversation(models.Model):
    """A person's exchange with the assistant; remembers the region and the item discussed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(Region, on_delete=models.SET_NULL, null=True, blank=True)
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("智能客服会话")
        verbose_name_plural = _("智能客服会话")

    def __str__(self) -> str:
        return str(self.public_id)


class Turn(models.Model):
    """One question and the assistant's answer (kept for the consultant and the report)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("回答"))
    aspect = models.CharField(max_length=20, choices=Aspect.choices, blank=True)
    confidence = models.FloatField(default=0)
    needs_human = models.BooleanField(default=False)
    items = models.JSONField(default=list)
    citations = models.JSONField(default=list)
    helpful = models.BooleanField(_("是否有用"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.question


class QueuedQuestion(models.Model):
    """The learning queue: questions the knowledge base could not answer well, grouped."""

    class Reason(models.TextChoices):
        NO_ANSWER = "no_answer", _("无法回答")
        LOW_CONFIDENCE = "low_confidence", _("把握不大")
        UNHELPFUL = "unhelpful", _("群众评为没用")
        HUMAN = "human", _("人工解答")

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ANSWERED = "answered", _("已转为知识")
        DISMISSED = "dismissed", _("已忽略")

    group_key = models.CharField(_("归并键"), max_length=200)
    question = models.CharField(_("问题"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.SET_NULL, null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    count = models.PositiveIntegerField(_("次数"), default=1)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.OPEN)
    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.SET_NULL, null=True, blank=True)
    first_asked_at = models.DateTimeField(auto_now_add=True)
    last_asked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("待完善问题")
        verbose_name_plural = _("待完善问题")
        ordering = ["-count", "-last_asked_at"]
        indexes = [models.Index(fields=["state", "department", "group_key"])]

    def __str__(self) -> str:
        return self.question


class Consultation(models.Model):
    """An online consultation (在线咨询) handed from the assistant to a department's staff."""

    class State(models.TextChoices):
        WAITING = "waiting", _("排队中")
        ACTIVE = "active", _("咨询中")
        CLOSED = "closed", _("已结束")

    class Kind(models.TextChoices):
        ONLINE = "online", _("在线咨询")
        WRITTEN = "written", _("书面咨询")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices, default=Kind.ONLINE)
    due_date = models.DateField(_("答复期限"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    token_digest = models.CharField(max_length=64)
    conversation = models.ForeignKey(Conversation, on_delete=models.SET_NULL, null=True, blank=True)
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True)
    question = models.CharField(_("咨询问题"), max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.WAITING)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("坐席"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    taken_at = models.DateTimeField(_("接入时间"), null=True, blank=True)
    first_reply_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评价"), null=True, blank=True, help_text=_("1 非常满意 … 5 非常不满意")
    )
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    publish_consent = models.BooleanField(
        _("同意公开问答"),
        default=False,
        help_text=_("群众同意隐去个人信息后将问答用于完善知识库。"),
    )

    class Meta:
        verbose_name = _("在线咨询")
        verbose_name_plural = _("在线咨询")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["department", "state", "created_at"])]

    def __str__(self) -> str:
        return self.question


class ConsultationMessage(models.Model):
    class Sender(models.TextChoices):
        CITIZEN = "citizen", _("群众")
        AGENT = "agent", _("坐席")
        SYSTEM = "system", _("系统")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("内容"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:40]
