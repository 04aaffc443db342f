"""Demo licences for ``make run``: the 通用目录 of the demo catalogue and a few licences
the demo citizen and company already hold (存量电子化), so applying shows 用证."""

from __future__ import annotations

import datetime

from django.db import transaction

from govhall.accounts.models import Company, Person
from govhall.catalog.models import Item
from govhall.demo.catalog import licence_types as demo_types
from govhall.licences.models import Licence, LicenceType, VersionKind
from govhall.licences.services import issuing, signing
from govhall.regions.models import Department


def _issuing_departments(code: str):
    ids = (
        Item.objects.published()
        .filter(current__result_licence_type=code)
        .values_list("department_id", flat=True)
    )
    return Department.objects.filter(pk__in=set(ids))


@transaction.atomic
def load_licence_types() -> int:
    made = 0
    for demo in demo_types.TYPES:
        licence_type, created = LicenceType.objects.update_or_create(
            code=demo.code,
            defaults={
                "name": demo.name,
                "defining_body": demo.body,
                "defining_body_code": demo_types.body_code(demo.body),
                "holder_kind": demo.holder_kind,
                "fields": demo.fields,
                "validity_years": demo.validity_years,
                "number_prefix": demo.prefix,
            },
        )
        licence_type.issuing_departments.set(_issuing_departments(demo.code))
        made += created
    return made


HELD = [
    # type, issuing department (region, name), number, data, issue date
    (
        "结婚证",
        ("440703", "民政局"),
        "J440703-2012-000318",
        {"spouse_name": "李慧敏", "registered_on": "2012-10-08"},
        datetime.date(2012, 10, 8),
    ),
    (
        "居民户口簿",
        ("440703", "公安局"),
        "HK440703000131",
        {"household_type": "城镇"},
        datetime.date(2010, 5, 20),
    ),
]


def _department(region: str, fragment: str) -> Department | None:
    return (
        Department.objects.filter(region_id=region, name__contains=fragment).order_by("pk").first()
    )


@transaction.atomic
def load_held_licences() -> int:
    """The demo citizen's 结婚证 and 户口簿, the demo company's 营业执照 (idempotent)."""
    person = Person.objects.filter(user__username="demo_citizen").first()
    company = Company.objects.filter(legal_representative=person).first() if person else None
    made = 0
    if person is not None:
        for type_name, (region, fragment), number, data, issued in HELD:
            made += _digitise(
                type_name,
                _department(region, fragment),
                number,
                data,
                issued,
                issuing.Holder.of_person(person),
            )
    if company is not None:
        licence_type = LicenceType.objects.filter(name="营业执照").first()
        issuer = licence_type and (
            licence_type.issuing_departments.filter(region_id="440703").first()
            or licence_type.issuing_departments.first()
        )
        made += _digitise(
            "营业执照",
            issuer,
            company.credit_code,
            {"legal_representative": person.name, "scope": "五金制品制造、销售"},
            datetime.date(2019, 3, 12),
            issuing.Holder.of_company(company),
        )
    return made


def _digitise(type_name, issuer, number, data, issued, holder) -> int:
    licence_type = LicenceType.objects.filter(name=type_name).first()
    if licence_type is None or issuer is None:
        return 0
    if Licence.objects.filter(type=licence_type, number=number).exists():
        return 0
    signing.active_key(issuer)
    issuing.issue(
        licence_type,
        issuer,
        holder,
        data=data,
        valid_from=issued,
        issue_date=issued,
        number=number,
        kind=VersionKind.DIGITISE,
        reason="存量纸质证照电子化（演示数据）",
    )
    return 1
