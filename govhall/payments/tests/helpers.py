"""Payment test data: an item with fees decided at submission (秒批), so a case is in
待缴费 right after it is submitted, and the bundled gateway driven like a payer."""

from __future__ import annotations

from govhall.cases.models import Case
from govhall.cases.tests import factories as f

from ..gatewaysim import services as sim
from ..gatewaysim.models import SimOrder

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
FEES = [
    {
        "name": "证书工本费",
        "standard": "每本10元",
        "amount": "10.00",
        "basis": "《关于规范证照工本费的通知》",
        "reducible": True,
        "reduction_conditions": "最低生活保障对象免收",
    },
    {"name": "登记费", "standard": "每件25.50元", "amount": "25.50", "basis": "价格主管部门核定"},
]
TOTAL_FEN = 3550
VARIABLE_FEES = [
    {"name": "测绘费", "standard": "按面积每平方米1.36元", "amount": None, "basis": "物价批复"},
]


def fee_item(dept=None, *, fees=None, **overrides):
    values = {
        "name": "建筑业企业资质证书补办",
        "decision_rules": RULES,
        "has_fee": True,
        "fee_basis": "《行政事业性收费标准管理办法》（发改价格规〔2018〕988号）",
        "fees": FEES if fees is None else fees,
        "supports_online_payment": True,
    }
    values.update(overrides)
    return f.item(dept or f.department("江门市民政局"), **values)


def awaiting_case(identity=None, item=None) -> Case:
    case = f.submitted(item or fee_item(), identity or f.applicant())
    return Case.objects.get(pk=case.pk)


def sim_order(order_number: str) -> SimOrder:
    return SimOrder.objects.get(out_trade_no=order_number)


def payer_pays(order_number: str) -> SimOrder:
    """The payer opens the page (扫码) and confirms: two notifications are queued."""
    order = sim_order(order_number)
    sim.scan(order.trade_no)
    return sim.pay(order.trade_no)
