"""Licence test data: types of the 通用目录, issuing items, concluded cases."""

from __future__ import annotations

from govhall.cases.services import handling
from govhall.cases.tests import factories as cf
from govhall.regions.models import Department, Post

from ..models import LicenceType

DEFINING_BODY_CODE = "11440000006941389Y"  # a well-formed (placeholder) credit code
TYPE_CODE = f"{DEFINING_BODY_CODE}001"

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


def issuing_item(dept: Department, type_code: str = TYPE_CODE, **overrides):
    return cf.item(dept, result_licence_type=type_code, result_name="最低生活保障证", **overrides)


def concluded_case(dept: Department | None = None, identity=None, item=None):
    """An approved case of an issuing item, concluded by the department's own staff."""
    dept = dept or cf.department("江门市民政局")
    item = item or issuing_item(dept)
    clerk, reviewer, approver = (
        cf.staff(p, dept) for p in (Post.CLERK, Post.REVIEWER, Post.APPROVER)
    )
    case = cf.submitted(item, identity or cf.applicant())
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="拟同意")
    handling.complete_step(case, reviewer, opinion="同意")
    handling.decide(case, approver, decision="approve", opinion="批准")
    handling.conclude(case, clerk, delivery="electronic")
    case.refresh_from_db()
    return case, clerk
