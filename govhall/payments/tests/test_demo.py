"""The demo loader (govhall/demo/payments.py): two fee items and a paid demo case, once."""

import pytest

from govhall.accounts.models import Person
from govhall.cases.models import Case, CaseState
from govhall.catalog.models import Item
from govhall.demo import payments as demo
from govhall.demo.cases import DEMO_ITEM
from govhall.payments.models import AssessmentState

from . import helpers as h

pytestmark = pytest.mark.django_db


def test_demo_items_with_fees_and_a_paid_demo_case_loaded_once():
    form = [  # the demo 低保 item's form, as govhall/demo/cases.py answers it
        {"name": "household_size", "label": "家庭人口", "type": "integer", "required": True},
        {"name": "monthly_income", "label": "家庭月收入", "type": "integer", "required": True},
        {"name": "has_disabled_member", "label": "有无残疾人", "type": "boolean", "required": True},
    ]
    h.f.item(h.f.dept_like("民政", DEMO_ITEM[1]), name=DEMO_ITEM[0], form_fields=form)
    person = h.f.applicant().person
    person.user.username = "demo_citizen"
    person.user.save(update_fields=["username"])
    line = demo.load("x")
    assert demo.FIXED in line and demo.ASSESSED in line
    fees = Item.objects.get(name=demo.FIXED).current.fees.all()
    assert [f.reduction_conditions for f in fees if f.reducible] == [
        "最低生活保障对象、特困供养人员免收"
    ]
    case = Case.objects.get(person=Person.objects.get(pk=person.pk), item__name=demo.FIXED)
    assert case.state == CaseState.CONCLUDED
    assert case.fee_assessment.state == AssessmentState.PAID
    assert demo.load("x") == line  # idempotent
    assert Case.objects.filter(item__name=demo.FIXED).count() == 1
