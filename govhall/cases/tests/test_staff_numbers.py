"""Numbers in answers read as typed on the staff case page (issue #15 point 5): an
answer stored as 1500.0 by earlier versions shows as 1500."""

import pytest

from govhall.cases.models import Application
from govhall.cases.tests import factories as f

from .staff_support import case_url, civil_affairs, clerk, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk")]

INCOME = [{"name": "income", "label": "家庭月收入（元）", "type": "decimal", "required": True}]


def test_a_money_answer_shows_without_a_trailing_zero(client):
    dept = civil_affairs()
    case = f.submitted(f.item(dept, form_fields=INCOME), answers={"income": "1500"})
    assert case.application.answers["income"] == 1500
    Application.objects.filter(pk=case.application_id).update(answers={"income": 1500.0})
    html = signed_in(client, clerk(dept)).get(case_url(case)).content.decode()
    assert "<dd>1500</dd>" in html and "1500.0" not in html
