"""Code lists of the item catalogue (GB/T 39046-2020 and Guangdong practice).

Values are what the database, the API and Excel carry; labels are the Chinese the UI
shows. Where GB/T 39046 has a numeric code that differs from our value (item types),
the mapping lives next to the choices so exports can give both.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from govhall.regions.models import Post


class ItemType(models.TextChoices):
    """事项类型; the value is the two-letter prefix of the basic code."""

    LICENSING = "XK", _("行政许可")
    PENALTY = "CF", _("行政处罚")
    COERCION = "QZ", _("行政强制")
    LEVY = "ZS", _("行政征收")
    BENEFIT = "JF", _("行政给付")
    INSPECTION = "JC", _("行政检查")
    CONFIRMATION = "QR", _("行政确认")
    AWARD = "JL", _("行政奖励")
    RULING = "CJ", _("行政裁决")
    OTHER_POWER = "QT", _("其他行政权力")
    PUBLIC_SERVICE = "GG", _("公共服务")


# GB/T 39046 numeric 事项类型 codes for exchange messages.
ITEM_TYPE_GB_CODE = {
    "XK": "01",
    "CF": "02",
    "QZ": "03",
    "ZS": "04",
    "JF": "05",
    "JC": "06",
    "QR": "07",
    "JL": "08",
    "CJ": "09",
    "QT": "10",
    "GG": "20",
}


class ExerciseLevel(models.TextChoices):
    """行使层级 (GB/T 39046); the digit inside the implementation code."""

    NATIONAL = "1", _("国家级")
    PROVINCE = "2", _("省级")
    CITY = "3", _("市级")
    COUNTY = "4", _("县级")
    TOWN = "5", _("镇（街道）级")
    VILLAGE = "6", _("村（社区）级")


class Audience(models.TextChoices):
    """服务对象 (GB/T 39046). An item stores the digits it serves, e.g. ``"12"``."""

    PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    INSTITUTION = "3", _("事业法人")
    SOCIAL_ORGANISATION = "4", _("社会组织法人")
    GOVERNMENT_AGENCY = "5", _("行政机关")
    OTHER_ORGANISATION = "6", _("其他组织")


# The portal's two audiences: 个人办事 (person) and 法人办事 (company).
PERSON_CODES = frozenset("1")
COMPANY_CODES = frozenset("23456")


class ThemeAudience(models.TextChoices):
    PERSON = "person", _("面向自然人")
    COMPANY = "company", _("面向法人")


class CaseType(models.TextChoices):
    """办件类型."""

    INSTANT = "1", _("即办件")
    PROMISED = "2", _("承诺件")


class Depth(models.IntegerChoices):
    """网上办理深度; level 3 and up counts as 网上全流程办理 (with at most one visit)."""

    INFORMATION = 1, _("一级：网上提供办事指南和表格下载")
    PRE_REVIEW = 2, _("二级：网上预约、在线预审")
    ONLINE_ACCEPTANCE = 3, _("三级：网上受理和审批，到现场不超过一次")
    FULLY_ONLINE = 4, _("四级：全程网上办理，零跑动")


class HandlingScope(models.TextChoices):
    """通办范围: where else the item may be applied for."""

    LOCAL = "local", _("本级办理")
    CITY = "city", _("全市通办")
    PROVINCE = "province", _("全省通办")
    NATION = "nation", _("跨省通办")


class MaterialMedia(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


class MaterialSource(models.TextChoices):
    """Where a material comes from; only ``applicant`` means the applicant brings it."""

    APPLICANT = "applicant", _("申请人自备")
    LICENCE = "licence", _("电子证照调取")
    SHARED = "shared", _("共享数据获取")


class SpecialProcedureKind(models.TextChoices):
    """特别程序: time they take does not count toward the limits (行政许可法 Art. 45)."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标、拍卖")
    TESTING = "testing", _("检验、检测、检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_INSPECTION = "site_inspection", _("现场核查")
    PUBLICITY = "publicity", _("公示")
    OTHER = "other", _("其他")


class RelationKind(models.TextChoices):
    PREREQUISITE = "prerequisite", _("前置事项")
    FOLLOW_ON = "follow_on", _("后置事项")
    RELATED = "related", _("关联事项")


class ChangeType(models.TextChoices):
    """事项变更类型, recorded when a version takes effect."""

    NEW = "new", _("新增")
    CHANGE = "change", _("变更")
    SPLIT = "split", _("拆分")
    MERGE = "merge", _("合并")
    SUSPEND = "suspend", _("暂停")
    CANCEL = "cancel", _("取消")


# Posts that may do a handling step (the case workflow routes steps to them).
STEP_POSTS = [
    (Post.CLERK.value, Post.CLERK.label),
    (Post.REVIEWER.value, Post.REVIEWER.label),
    (Post.APPROVER.value, Post.APPROVER.label),
]


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
