"""Demo data of the two pages: push rules, the demo company's profile, the population
bases of two cities, and one scan of reminders and pushes so the demo citizen's page
has something to show (idempotent)."""

from __future__ import annotations

from django.db import transaction

from govhall.accounts.models import Company, Person
from govhall.cases.models import Case
from govhall.cases.services import access
from govhall.monitoring.models import PopulationBase
from govhall.regions.models import StaffPost
from govhall.spaces.models import CompanyProfile, DataRead, PushKind, PushRule
from govhall.spaces.services import push, reminders

RULES = [
    {
        "code": "elderly-allowance",
        "kind": PushKind.SERVICE,
        "audience": "person",
        "title": "高龄老人津贴申领",
        "body": "年满80周岁的本省户籍老年人，可向户籍所在地镇街申领高龄老人津贴。",
        "reason": "因为您已年满{age}周岁，户籍在{region}",
        "min_age": 80,
        "region_prefix": "44",
    },
    {
        "code": "flexible-employment-subsidy",
        "kind": PushKind.POLICY,
        "audience": "person",
        "title": "灵活就业人员社会保险补贴",
        "body": (
            "符合条件的灵活就业人员可申请社会保险补贴，请关注人力资源社会保障部门发布的申报通知。"
        ),
        "reason": "因为您年龄在{age}周岁、户籍在{region}，可能符合申报条件",
        "min_age": 20,
        "max_age": 49,
        "region_prefix": "4407",
    },
    {
        "code": "company-annual-report",
        "kind": PushKind.POLICY,
        "audience": "company",
        "title": "企业年度报告公示",
        "body": "企业应于每年1月1日至6月30日，通过国家企业信用信息公示系统报送上一年度年度报告。",
        "reason": "因为贵企业是在{region}登记的{industry}企业，需按时报送年度报告",
        "region_prefix": "44",
    },
    {
        "code": "food-licence-renewal",
        "kind": PushKind.RENEWAL,
        "audience": "company",
        "title": "食品经营许可证延续",
        "body": "食品经营许可证有效期届满需要继续经营的，应当在有效期届满30个工作日前申请延续。",
        "reason": "因为您的{licence}将于{valid_until}到期",
        "licence_type_code": "",  # filled from the licence catalogue when it has the type
        "days_before_expiry": 90,
    },
]

BASES = [  # region, year, companies, residents aged 20–49, registered population
    ("440700", 2026, 162_000, 2_180_000, 4_001_000),
    ("445100", 2026, 48_000, 1_090_000, 2_740_000),
]


@transaction.atomic
def load(password: str) -> str:
    from govhall.licences.models import LicenceType

    food = LicenceType.objects.filter(name="食品经营许可证").values_list("code", flat=True).first()
    made = 0
    for values in RULES:
        values = dict(values)
        if values["kind"] == PushKind.RENEWAL:
            if not food:
                continue
            values["licence_type_code"] = food
        _rule, created = PushRule.objects.get_or_create(code=values.pop("code"), defaults=values)
        made += created
    for region, year, companies, residents, population in BASES:
        PopulationBase.objects.get_or_create(
            region_code=region,
            year=year,
            defaults={
                "registered_companies": companies,
                "population_20_49": residents,
                "registered_population": population,
                "source": "演示数据",
            },
        )
    citizen = Person.objects.filter(user__username="demo_citizen").first()
    company = Company.objects.filter(legal_representative=citizen).first() if citizen else None
    if company is not None:
        CompanyProfile.objects.get_or_create(
            company=company,
            defaults={
                "industry": "制造业",
                "company_type": "有限责任公司",
                "region_code": "440703",
            },
        )
    _food_licence(company, food)
    _demo_read(citizen)
    sent = push.scan().total
    reminded = reminders.scan().total
    return (
        f"两页：推送规则新建{made}条，推送{sent}条，温馨提醒{reminded}条；"
        "demo_citizen 登录后打开 /my/space/，工作人员在 /workbench/spaces/ 查看两页指标。"
    )


def _demo_read(citizen) -> None:
    """A staff member's read of the demo citizen's first case, for "谁用了我的数据"."""
    if citizen is None or DataRead.objects.filter(subject_user=citizen.user).exists():
        return
    case = Case.objects.filter(person=citizen, company__isnull=True).order_by("pk").first()
    post = StaffPost.objects.filter(user__username="pj_clerk").select_related("user").first()
    if case is None or post is None or not access.staff_can_read(post.user, case):
        return
    access.record_read(
        post.user, case, purpose=f"办理办件{case.number}：查看申请信息", fields=["申请人信息"]
    )


def _food_licence(company, type_code) -> None:
    """The demo company's 食品经营许可证, expiring in 80 days: its renewal push shows."""
    import datetime

    from django.utils import timezone

    from govhall.licences.models import Licence, LicenceType
    from govhall.licences.services import issuing, signing

    if company is None or not type_code:
        return
    licence_type = LicenceType.objects.get(code=type_code)
    if Licence.objects.filter(type=licence_type, company=company).exists():
        return
    issuer = (
        licence_type.issuing_departments.filter(region_id="440703").first()
        or licence_type.issuing_departments.first()
    )
    if issuer is None:
        return
    signing.active_key(issuer)
    until = timezone.localdate() + datetime.timedelta(days=80)
    issuing.issue(
        licence_type,
        issuer,
        issuing.Holder.of_company(company),
        data={},
        valid_from=until - datetime.timedelta(days=5 * 365),
        valid_until=until,
        authorised=True,
    )
