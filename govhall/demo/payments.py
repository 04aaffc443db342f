"""Demo fees for ``make run``: two items with fees at Pengjiang's 民政局 — one whose fees
the catalogue fixes (decided at submission, 秒批, so paying concludes it), one whose fee a
clerk assesses from the case — and one case of the demo citizen paid through the bundled
gateway, with its notifications delivered (idempotent)."""

from __future__ import annotations

from django.db import transaction

from govhall.accounts.models import Person
from govhall.accounts.services.acting import Identity
from govhall.cases.models import Case
from govhall.cases.services import applications
from govhall.catalog.models import Item
from govhall.catalog.services import documents, items
from govhall.search.engine import index_item
from govhall.search.models import ItemDocument

from .cases import DEMO_ITEM, _application

FIXED = "证书补领（演示：网上缴费）"
ASSESSED = "房屋面积测绘成果核定（演示：按面积核定收费）"
FEE_BASIS = (
    "《行政事业性收费标准管理办法》（发改价格规〔2018〕988号）；省价格主管部门核定的收费标准"
)
FIXED_FEES = [
    {
        "name": "证书工本费",
        "standard": "每本10元",
        "amount": "10.00",
        "basis": "省价格主管部门核定的证书工本费标准",
        "reducible": True,
        "reduction_conditions": "最低生活保障对象、特困供养人员免收",
    },
    {
        "name": "登记费",
        "standard": "每件25.50元",
        "amount": "25.50",
        "basis": "省价格主管部门核定的登记费标准",
    },
]
ASSESSED_FEES = [
    {
        "name": "测绘费",
        "standard": "按建筑面积每平方米1.36元",
        "amount": None,
        "basis": "省价格主管部门核定的房产测绘收费标准",
        "reducible": True,
        "reduction_conditions": "保障性住房减半收取",
    }
]
RULES = {
    "review_days": 5,
    "rules": [
        {
            "code": "R1",
            "description": "家庭人口不超过6人",
            "fact": "form.household_size",
            "op": "<=",
            "value": 6,
        }
    ],
}
DROP = ("implementation_code", "basic_code", "parent", "version", "state", "published_at")


def _item(template: Item, name: str, fees: list[dict], rules: dict) -> Item:
    found = Item.objects.published().filter(name=name, region_id=template.region_id).first()
    if found is not None:
        return found
    doc = {k: v for k, v in documents.version_document(template.current).items() if k not in DROP}
    doc.update(
        name=name,
        has_fee=True,
        fee_basis=FEE_BASIS,
        fees=fees,
        supports_online_payment=True,
        decision_rules=rules,
        relations=[],
        # its own result, not the 低保证 the demo citizen already holds (no 持证不再申请)
        result_name="补领证书",
        result_licence_type="",
        repeat_while_held=True,
    )
    return items.load_document(doc, publish=True, reason="演示数据：收费事项")


def _paid_case(item: Item) -> Case | None:
    from govhall.payments.gatewaysim import services as sim
    from govhall.payments.gatewaysim.models import SimOrder
    from govhall.payments.services import orders

    person = Person.objects.select_related("user").filter(user__username="demo_citizen").first()
    if person is None:
        return None
    existing = Case.objects.filter(person=person, item=item).first()
    if existing is not None:
        return existing
    identity = Identity(user=person.user, person=person)
    (case,) = applications.submit(_application(identity, item), identity)
    case.refresh_from_db()
    order = orders.open_order(case.fee_assessment, person.user, channel="demo")
    gateway_order = SimOrder.objects.get(out_trade_no=order.order_number)
    sim.scan(gateway_order.trade_no)
    sim.deliver(sim.pay(gateway_order.trade_no))
    case.refresh_from_db()
    return case


def load(password: str) -> str:
    template = Item.objects.published().filter(name=DEMO_ITEM[0], region_id=DEMO_ITEM[1]).first()
    if template is None:
        return ""
    with transaction.atomic():
        fixed = _item(template, FIXED, FIXED_FEES, RULES)
        assessed = _item(template, ASSESSED, ASSESSED_FEES, {})
        # Publishing indexes an item once its transaction commits; index now as well, so
        # the catalogue loader of a later run finds the index in step (no rebuild).
        for item in (fixed, assessed):
            if not ItemDocument.objects.filter(item_id=item.pk).exists():
                index_item(item)
    case = _paid_case(fixed)
    paid = f"，演示已缴费办件 {case.number}（{case.get_state_display()}）" if case else ""
    return f"收费：2个收费事项（{FIXED}、{ASSESSED}）{paid}"
