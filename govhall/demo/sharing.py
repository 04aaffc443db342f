"""Demo: publish the open datasets, and the sharing catalogue (共享目录) — the marriage
registration of the population library, shared by the provincial civil affairs department
with 蓬江区民政局 for 最低生活保障审批, whose 婚姻状况证明 (in the demo catalogue,
``govhall/demo/catalog/person.py``, naming RK-HYDJ) the hall then fetches (免提交)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import Item
from govhall.regions.models import Department
from govhall.sharing.models import (
    Approval,
    Library,
    Resource,
    ResourceField,
    SharingType,
    UpdateCycle,
)
from govhall.sharing.services import clients, publishing

RESOURCE = "RK-HYDJ"
FIELDS = [
    ("marital_status", "婚姻状况"),
    ("spouse_name", "配偶姓名"),
    ("spouse_id_number", "配偶身份证号码"),
    ("marriage_registered_on", "婚姻登记日期"),
    ("marriage_registry", "婚姻登记机关"),
    ("marriage_certificate_no", "婚姻登记证字号"),
]
GRANTED = ["marital_status", "spouse_name", "marriage_registered_on", "marriage_registry"]
ITEM = ("最低生活保障审批", "440703")
CLIENT_ID = "demo-sharing-pengjiang-minzheng"


def load(password: str) -> str:
    outcomes = publishing.publish_all()
    published = [o for o in outcomes if o.published]
    rows = sum(o.rows for o in published)
    line = f"开放数据：发布数据集{len(published)}个（共{rows}行），见 /open-data/。"
    shared = load_catalogue(password)
    return f"{line}\n{shared}" if shared else line


@transaction.atomic
def load_catalogue(password: str) -> str:
    owner = Department.objects.filter(region_id="440000", name="广东省民政厅").first()
    item = (
        Item.objects.select_related("department", "current")
        .filter(name=ITEM[0], department__region_id=ITEM[1])
        .first()
    )
    if owner is None or item is None or item.current_id is None:
        return ""
    resource, _ = Resource.objects.get_or_create(
        code=RESOURCE,
        defaults={
            "name": "人口库婚姻登记信息",
            "description": "公民的婚姻状况及最近一次婚姻登记，以民政部门婚姻登记记录为准。",
            "owner": owner,
            "library": Library.POPULATION,
            "sharing_type": SharingType.CONDITIONAL,
            "sharing_condition": "用于法定职责范围内的办件审核",
            "update_cycle": UpdateCycle.REALTIME,
            "legal_basis": "《婚姻登记条例》（国务院令第387号）；《政务信息资源共享管理暂行办法》"
            "（国发〔2016〕51号）",
        },
    )
    for order, (code, name) in enumerate(FIELDS):
        ResourceField.objects.get_or_create(
            resource=resource, code=code, defaults={"name": name, "sort_order": order}
        )
    requester = item.department
    now = timezone.now()
    if not Approval.objects.filter(requester=requester, resource=resource).exists():
        Approval.objects.create(
            resource=resource,
            requester=requester,
            fields=GRANTED,
            purpose=item.name,
            legal_basis="《社会救助暂行办法》（国务院令第649号）第十一条：县级民政部门核查申请人家庭状况",
            valid_until=timezone.localdate() + datetime.timedelta(days=3 * 365),
            status=Approval.Status.APPROVED,
            requested_at=now,
            decide_by=now + datetime.timedelta(days=10),
            decided_at=now,
            decision_note="演示数据：同意在最低生活保障审批中使用",
        )
    from govhall.accounts.models import ClientProfile

    if not ClientProfile.objects.filter(application__client_id=CLIENT_ID).exists():
        clients.register(
            requester, name="低保审核系统", client_id=CLIENT_ID, client_secret=password
        )
    return (
        f"共享目录：资源{resource.code}（{owner.name}），{requester.name}获准用于“{item.name}”；"
        f"该事项的婚姻状况证明免提交；调用客户端 {CLIENT_ID}（密钥为演示密码）。"
    )
