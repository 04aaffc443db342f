"""Licence test data: types of the 通用目录, issuing items, concluded cases."""

from __future__ import annotations

import datetime

from govhall.cases.services import handling
from govhall.cases.tests import factories as cf
from govhall.regions.models import Department

from ..models import LicenceType
from ..services import issuing

DEFINING_BODY_CODE = "11440000006941389Y"  # a well-formed (placeholder) credit code
TYPE_CODE = f"{DEFINING_BODY_CODE}001"
COMPANY_TYPE = f"{DEFINING_BODY_CODE}003"

FIELDS = [
    {"name": "household_size", "label": "家庭人口", "type": "number", "required": True},
    {"name": "spouse_name", "label": "配偶姓名", "type": "text", "required": False},
]


def licence_type(code: str = TYPE_CODE, name: str = "最低生活保障证", *, issuers=(), **kwargs):
    values = {
        "name": name,
        "defining_body": "广东省民政厅",
        "defining_body_code": DEFINING_BODY_CODE,
        "holder_kind": "person",
        "fields": FIELDS,
        "validity_years": 3,
        "number_prefix": "粤低保",
    }
    values.update(kwargs)
    licence_type, _ = LicenceType.objects.update_or_create(code=code, defaults=values)
    if issuers:
        licence_type.issuing_departments.set(issuers)
    return licence_type


def person_licence(identity=None, *, valid_until: datetime.date | None = None, **data):
    """A 最低生活保障证 of 江门市民政局 held by ``identity`` (a new 张小明 by default), valid
    from 2026-01-01, with ``data`` over a household of 3; returns the licence and holder."""
    dept = cf.department("江门市民政局")
    identity = identity or cf.applicant(name="张小明")
    licence = issuing.issue(
        licence_type(issuers=[dept]),
        dept,
        issuing.Holder.of_person(identity.person),
        data={"household_size": 3, **data},
        valid_from=datetime.date(2026, 1, 1),
        valid_until=valid_until,
    )
    return licence, identity


def company_licence(company, **dates):
    """A 食品经营许可证 (no fields) of 江门市食品药品监督管理局 held by ``company``;
    ``dates`` are ``issuing.issue``'s valid_from / valid_until."""
    dept = cf.department("江门市食品药品监督管理局")
    food = licence_type(
        COMPANY_TYPE,
        "食品经营许可证",
        issuers=[dept],
        holder_kind="company",
        fields=[],
        number_prefix="JY",
    )
    return issuing.issue(food, dept, issuing.Holder.of_company(company), data={}, **dates)


def issuing_item(dept: Department, type_code: str = TYPE_CODE, **overrides):
    return cf.item(dept, result_licence_type=type_code, result_name="最低生活保障证", **overrides)


def concluded_case(dept: Department | None = None, identity=None, item=None):
    """An approved case of an issuing item, concluded by the department's own staff."""
    dept = dept or cf.department("江门市民政局")
    item = item or issuing_item(dept)
    clerk, reviewer, approver = cf.handlers(dept)
    case = cf.submitted(item, identity or cf.applicant())
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="拟同意")
    handling.complete_step(case, reviewer, opinion="同意")
    handling.decide(case, approver, decision="approve", opinion="批准")
    handling.conclude(case, clerk, delivery="electronic")
    case.refresh_from_db()
    return case, clerk
