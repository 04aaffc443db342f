"""The citizen page and the company page (两页): openings and use, preferences,
reminders, pushes and the log of who read a person's data.

Each reminder and each push is a row keyed by what it is about, so the periodic scan
can run any number of times and still send each one exactly once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SpaceKind(models.TextChoices):
    PERSON = "person", _("市民个人网页")
    COMPANY = "company", _("企业专属网页")


class SpaceOpening(models.Model):
    """开通: the first time a person opened their page, or a company's page was opened.

    A company's page is opened once per company (whichever authorised person opened it);
    ``city_code`` is where the indicators count it."""

    kind = models.CharField(_("网页类型"), max_length=10, choices=SpaceKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开通人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("法人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    city_code = models.CharField(_("所属地市区划代码"), max_length=12, db_index=True)
    opened_at = models.DateTimeField(_("开通时间"))

    class Meta:
        verbose_name = _("两页开通")
        verbose_name_plural = _("两页开通")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(kind="person"), name="space_person_once"
            ),
            models.UniqueConstraint(
                fields=["company"], condition=Q(kind="company"), name="space_company_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.city_code}"


class SpaceUse(models.Model):
    """使用: a month in which the page was opened at least once."""

    opening = models.ForeignKey(
        SpaceOpening, verbose_name=_("开通"), on_delete=models.CASCADE, related_name="uses"
    )
    month = models.DateField(_("月份"))

    class Meta:
        verbose_name = _("两页使用")
        verbose_name_plural = _("两页使用")
        constraints = [
            models.UniqueConstraint(fields=["opening", "month"], name="space_use_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.opening_id} {self.month:%Y-%m}"


class PushKind(models.TextChoices):
    SERVICE = "service", _("服务推荐")
    RENEWAL = "renewal", _("证照延续提醒")
    POLICY = "policy", _("政策资讯")
    NEXT_SERVICE = "next_service", _("下一步服务")


class Preference(models.Model):
    """How a person wants to be told: the inbox always; SMS if they say so; pushes of
    the kinds they did not switch off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="space_preference",
    )
    reminders = models.BooleanField(_("接收办事温馨提醒"), default=True)
    sms = models.BooleanField(_("同时以短信发送"), default=True)
    pushes_off = models.JSONField(_("不再接收的推送类别"), default=list, blank=True)
    themes = models.JSONField(
        _("订阅的政策资讯主题"),
        default=list,
        blank=True,
        help_text=_("服务主题编码；设定了主题的推送规则只推送给订阅该主题的人。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒与推送设置")
        verbose_name_plural = _("提醒与推送设置")

    def __str__(self) -> str:
        return str(self.user)

    def wants(self, kind: str) -> bool:
        return kind not in (self.pushes_off or [])


class ReminderKind(models.TextChoices):
    LICENCE_EXPIRY = "licence_expiry", _("证照即将到期")
    CORRECTION_DUE = "correction_due", _("补正期限将至")
    RATING_PENDING = "rating_pending", _("办件待评价")
    DRAFT_WAITING = "draft_waiting", _("申请草稿未提交")
    COLLECTION_WAITING = "collection_waiting", _("办结结果待领取")
    PAYMENT_DUE = "payment_due", _("待缴费")


class Reminder(models.Model):
    """办事温馨提醒: one deadline of one person (or company), sent once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="space_reminders",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("法人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("提醒类别"), max_length=20, choices=ReminderKind.choices)
    key = models.CharField(_("提醒对象"), max_length=120)
    due_date = models.DateField(_("期限"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=200, blank=True)
    notification = models.ForeignKey(
        "cases.Notification",
        verbose_name=_("站内消息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sms = models.BooleanField(_("短信发送"), default=False)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办事温馨提醒")
        verbose_name_plural = _("办事温馨提醒")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return self.title


class CompanyProfile(models.Model):
    """What the hall knows of a company for matching pushes (from the market-regulation
    register; entered by an administrator or loaded)."""

    company = models.OneToOneField(
        "accounts.Company",
        verbose_name=_("法人"),
        on_delete=models.CASCADE,
        related_name="space_profile",
    )
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    company_type = models.CharField(_("企业类型"), max_length=60, blank=True)
    region_code = models.CharField(_("住所区划代码"), max_length=12, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业画像")
        verbose_name_plural = _("企业画像")

    def __str__(self) -> str:
        return str(self.company)


class PushRule(models.Model):
    """A rule as data: who (age, region, company industry or type, a licence about to
    expire, an item concluded) gets which service or notice, and the reason shown."""

    code = models.SlugField(_("规则代码"), max_length=60, unique=True)
    kind = models.CharField(_("推送类别"), max_length=20, choices=PushKind.choices)
    audience = models.CharField(_("对象"), max_length=10, choices=SpaceKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    reason = models.CharField(
        _("推送理由"),
        max_length=200,
        help_text=_(
            "显示给接收人，可用 {age}、{region}、{industry}、{company_type}、{licence}、"
            "{valid_until}、{item}、{theme} 占位。"
        ),
    )
    link = models.CharField(_("链接"), max_length=200, blank=True)
    min_age = models.PositiveSmallIntegerField(_("最小年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最大年龄"), null=True, blank=True)
    region_prefix = models.CharField(_("区划代码前缀"), max_length=12, blank=True)
    industry = models.CharField(_("行业"), max_length=60, blank=True)
    company_type = models.CharField(_("企业类型"), max_length=60, blank=True)
    licence_type_code = models.CharField(
        _("证照类型代码"),
        max_length=40,
        blank=True,
        help_text=_("持有该类证照且将在“到期前天数”内到期者（证照延续）。"),
    )
    days_before_expiry = models.PositiveSmallIntegerField(_("到期前天数"), null=True, blank=True)
    after_item_code = models.CharField(
        _("办结后推荐：前一事项实施编码"),
        max_length=32,
        blank=True,
        help_text=_("该事项的办件办结后，向申请人推荐本规则的服务。"),
    )
    theme_code = models.CharField(
        _("政策资讯主题"),
        max_length=40,
        blank=True,
        help_text=_("服务主题编码（如 c04）：只推送给订阅了该主题的人，理由可用 {theme} 占位。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("推送规则")
        verbose_name_plural = _("推送规则")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=models.F("min_age")),
                name="pushrule_age_order",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Push(models.Model):
    """One push sent to one person (or for one company), at most once per subject: a
    rule's match, or a follow-on item of the catalogue after a concluded case."""

    rule = models.ForeignKey(
        PushRule,
        verbose_name=_("规则"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pushes",
    )
    kind = models.CharField(_("推送类别"), max_length=20, choices=PushKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="space_pushes",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("法人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField(_("推送对象"), max_length=160)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    reason = models.CharField(_("推送理由"), max_length=300)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    notification = models.ForeignKey(
        "cases.Notification",
        verbose_name=_("站内消息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sms = models.BooleanField(_("短信发送"), default=False)
    created_at = models.DateTimeField(_("推送时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("打开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("主动推送")
        verbose_name_plural = _("主动推送")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="push_once")]

    def __str__(self) -> str:
        return self.title


class DataReadSource(models.TextChoices):
    CASE = "case", _("办件查看")
    MATERIAL = "material", _("材料查看")
    LICENCE = "licence", _("电子证照查看")
    SHARING = "sharing", _("数据共享调用")
    OIDC = "oidc", _("第三方登录获取信息")
    EXPORT = "export", _("数据导出")
    COUNTER = "counter", _("窗口查询")


class DataRead(models.Model):
    """谁用了我的数据: one read of a person's or company's data. Never edited."""

    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("数据主体账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    subject_company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("数据主体（法人）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    subject_key = models.CharField(_("数据主体索引"), max_length=64, blank=True, db_index=True)
    reader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("使用人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reader_name = models.CharField(_("使用人姓名"), max_length=100, blank=True)
    reader_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("使用部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reader_client = models.CharField(_("调用系统"), max_length=100, blank=True)
    purpose = models.CharField(_("用途"), max_length=200)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    fields = models.JSONField(_("数据项"), default=list, blank=True)
    source = models.CharField(_("方式"), max_length=10, choices=DataReadSource.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数据使用记录")
        verbose_name_plural = _("数据使用记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject_user", "-at"], name="dataread_subject_recent"),
            models.Index(fields=["subject_company", "-at"], name="dataread_company_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.purpose}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("数据使用记录不可修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("数据使用记录不可删除。"))


class DataReadDispute(models.Model):
    """A person says a read of their data was wrong; the hall follows it up."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ANSWERED = "answered", _("已答复")

    read = models.OneToOneField(
        DataRead, verbose_name=_("数据使用记录"), on_delete=models.PROTECT, related_name="dispute"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("异议理由"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据使用异议")
        verbose_name_plural = _("数据使用异议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.read_id} {self.get_state_display()}"


class HouseholdRelation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    OTHER = "other", _("其他家庭成员")


class HouseholdGrant(models.Model):
    """家庭成员授权: ``member`` lets ``holder`` see their cases and licences on the holder's
    own page (an adult child following an elderly parent's applications, for example).

    Given by the member, never taken: the member names the holder by ID number and name,
    and either of them can end it. Seeing is all it allows — acting in the member's cases
    still needs the member's own account or the counter."""

    member = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("授权人（家庭成员）"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    holder = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("被授权人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    relation = models.CharField(_("关系"), max_length=10, choices=HouseholdRelation.choices)
    valid_until = models.DateField(_("授权有效期至"))
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("家庭成员授权")
        verbose_name_plural = _("家庭成员授权")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "holder"],
                condition=Q(ended_at__isnull=True),
                name="household_grant_once",
            ),
            models.CheckConstraint(
                condition=~Q(member=models.F("holder")), name="household_grant_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} → {self.holder.name}"
