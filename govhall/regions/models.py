"""§1 Regions (GB/T 2260), halls, departments and staff posts.

Region codes are hierarchical by prefix (province ``44``, city ``4407``, county
``440703``, town ``440703001``, village ``440703001001``), so "everything under a
region" is a ``code__startswith`` on the region's ``prefix`` — one indexed range scan,
no recursive query.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.core.identifiers import validate_credit_code


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWN = "town", _("镇街")
    VILLAGE = "village", _("村居")


LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE]
# Significant code length per level: the prefix all descendants share.
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWN: 9,
    Level.VILLAGE: 12,
}
CODE_LENGTH = {
    Level.PROVINCE: 6,
    Level.CITY: 6,
    Level.COUNTY: 6,
    Level.TOWN: 9,
    Level.VILLAGE: 12,
}
# GB/T 39046 行使层级 codes.
EXERCISE_LEVEL_CODE = {
    Level.PROVINCE: "2",
    Level.CITY: "3",
    Level.COUNTY: "4",
    Level.TOWN: "5",
    Level.VILLAGE: "6",
}


class Region(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self):
        """GB/T 2260 shape: code length per level, a parent one or more levels up, same prefix.

        Runs after field validation, so it must tolerate a level that failed its choices.
        """
        if self.level not in Level.values:
            return
        level = Level(self.level)
        expected = CODE_LENGTH[level]
        if len(self.code or "") != expected or not (self.code or "").isdigit():
            raise ValidationError(
                {
                    "code": _("%(level)s区划代码须为%(n)d位数字。")
                    % {"level": level.label, "n": expected}
                }
            )
        if level == Level.PROVINCE:
            if self.parent_id:
                raise ValidationError({"parent": _("省级区划不能有上级区划。")})
            if not self.code.endswith("0000"):
                raise ValidationError({"code": _("省级区划代码须以0000结尾（如440000）。")})
            return
        if not self.parent_id:
            raise ValidationError({"parent": _("除省级外，区划必须指定上级区划。")})
        parent = self.parent
        if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(Level(parent.level)):
            raise ValidationError(
                {
                    "parent": _("上级区划的层级（%(parent)s）必须高于本区划（%(own)s）。")
                    % {"parent": parent.get_level_display(), "own": level.label}
                }
            )
        if not self.code.startswith(parent.prefix):
            raise ValidationError(
                {
                    "code": _("区划代码必须以上级区划代码的前%(n)d位“%(prefix)s”开头。")
                    % {"n": len(parent.prefix), "prefix": parent.prefix}
                }
            )
        if level == Level.CITY and self.code[4:] != "00":
            raise ValidationError({"code": _("市级区划代码须以00结尾（如440700）。")})

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[Level(self.level)]]

    @property
    def county_code(self) -> str:
        """The 6-digit GB/T 2260 code this region is registered under."""
        return self.code[:6]

    def ancestors(self) -> list[Region]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def descendants(self) -> models.QuerySet[Region]:
        return Region.objects.filter(code__startswith=self.prefix).exclude(code=self.code)

    def is_within(self, other: Region) -> bool:
        return self.code.startswith(other.prefix)


class Hall(models.Model):
    """A portal instance: the province's main hall and the halls below it."""

    class Kind(models.TextChoices):
        MAIN = "main", _("主厅")
        BRANCH = "branch", _("分厅")
        STATION = "station", _("网上办事站")
        POINT = "point", _("网上办事点")

    KIND_FOR_LEVEL = {
        Level.PROVINCE: Kind.MAIN,
        Level.CITY: Kind.BRANCH,
        Level.COUNTY: Kind.BRANCH,
        Level.TOWN: Kind.STATION,
        Level.VILLAGE: Kind.POINT,
    }

    region = models.OneToOneField(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="hall"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=150)
    address = models.CharField(_("实体大厅地址"), max_length=200, blank=True)
    hotline = models.CharField(_("咨询电话"), max_length=50, blank=True)
    opening_hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("办事大厅")
        verbose_name_plural = _("办事大厅")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.MAIN:
            return reverse("portal:home")
        return reverse("portal:hall", kwargs={"code": self.region_id})

    def clean(self):
        """A hall's kind follows its region's level (a town has a station, not a branch)."""
        if self.region_id and self.kind:
            expected = self.KIND_FOR_LEVEL.get(self.region.level)
            if expected and self.kind != expected:
                raise ValidationError(
                    {
                        "kind": _("%(level)s区划的大厅类型应为“%(kind)s”。")
                        % {"level": self.region.get_level_display(), "kind": expected.label}
                    }
                )


class DepartmentQuerySet(models.QuerySet):
    def current(self, on: date | None = None):
        """The department list as of ``on`` (today): bodies abolished by then, or not yet
        set up, are left out (they stay in the table for the cases that name them)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(established_on__isnull=True) | Q(established_on__lte=on),
            Q(abolished_on__isnull=True) | Q(abolished_on__gt=on),
            is_active=True,
        )


class Department(models.Model):
    """A government body of one region; its credit code is its code in the API."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政府工作部门")
        DIRECT = "direct", _("直属机构")
        VERTICAL = "vertical", _("垂直管理部门")
        SERVICE_CENTRE = "service_centre", _("政务服务中心")
        TOWNSHIP = "township", _("镇街政府")
        OTHER = "other", _("其他单位")

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="departments"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    # Institutional reforms abolish and merge bodies (the 2018 reform merged 国税 and 地税,
    # turned 监察厅 into 监察委员会). An abolished body is kept, never deleted: old cases,
    # items and licences keep pointing at it, and it says who took over its work.
    established_on = models.DateField(_("设立日期"), null=True, blank=True)
    abolished_on = models.DateField(
        _("撤销日期"),
        null=True,
        blank=True,
        help_text=_("机构改革撤销或合并的日期；此后不再列入部门名录，历史办件仍保留原部门。"),
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("承继部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("承接其职责的部门。"),
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_current(self, on: date | None = None) -> bool:
        """In the department list on ``on`` (today): active, set up, not yet abolished."""
        on = on or timezone.localdate()
        return (
            self.is_active
            and (self.established_on is None or self.established_on <= on)
            and (self.abolished_on is None or self.abolished_on > on)
        )

    @property
    def is_abolished(self) -> bool:
        return self.abolished_on is not None and self.abolished_on <= timezone.localdate()

    @property
    def level(self) -> str:
        return self.region.level

    def clean(self):
        """Validate and normalise the credit code (full-width, spaces) the way clerks type it."""
        if not self.credit_code:
            return  # the field's own "required" error already says so
        result = validate_credit_code(self.credit_code)
        if not result.valid:
            raise ValidationError({"credit_code": [e.message for e in result.errors]})
        self.credit_code = result.normalized


class Post(models.TextChoices):
    """Staff roles (岗位). Which actions each post may take is decided by each subsystem."""

    CLERK = "clerk", _("窗口受理人员")
    REVIEWER = "reviewer", _("审核人员")
    APPROVER = "approver", _("审批人员")
    SUPERVISOR = "supervisor", _("效能监督人员")
    CATALOGUE_EDITOR = "catalogue_editor", _("事项录入人员")
    CATALOGUE_REVIEWER = "catalogue_reviewer", _("事项审查人员")
    HALL_ADMIN = "hall_admin", _("大厅管理员")


class StaffAccount(models.Model):
    """A staff account (工作人员账号) and the region it belongs to.

    Only a system administrator (superuser) registers an account as a staff account; hall
    administrators then give posts only to staff accounts of their own region
    (``services.posts``), so a citizen's account or another city's clerk cannot be made
    a post holder by a hall administrator.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="staff_account",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="staff_accounts"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作人员账号")
        verbose_name_plural = _("工作人员账号")
        ordering = ["region__code", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.region.name}"


class StaffPost(models.Model):
    """A staff user holding one post in one department (a user may hold several).

    Posts are granted and revoked through ``services.posts`` (separation of duties): a
    hall-administrator post waits (``awaiting_confirmation``, inactive) until a second
    administrator confirms it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        on_delete=models.CASCADE,
        related_name="staff_posts",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="staff_posts"
    )
    post = models.CharField(_("岗位"), max_length=30, choices=Post.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("设立时间"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授予人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    awaiting_confirmation = models.BooleanField(_("待第二名管理员确认"), default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作人员岗位")
        verbose_name_plural = _("工作人员岗位")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department", "post"], name="staffpost_unique_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_post_display()}"
