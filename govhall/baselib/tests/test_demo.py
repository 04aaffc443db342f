import pytest

from govhall.accounts.models import Person
from govhall.baselib import services
from govhall.baselib.models import ThemeLibrary
from govhall.core.identifiers import make_id_number
from govhall.demo import baselib as demo
from govhall.demo.accounts import DEMO_PEOPLE

pytestmark = pytest.mark.django_db


def test_demo_citizen_has_a_readable_marriage_registration_and_reload_is_idempotent():
    line = demo.load("x")
    assert "基础信息库" in line
    _, _, county, birth, sequence, _, _ = DEMO_PEOPLE[0]
    number = make_id_number(county, birth, sequence)
    answer = services.read("person", number, ["marital_status", "spouse_name", "marriage_registry"])
    assert answer["marital_status"].value == "21"
    assert answer["spouse_name"].value == demo.SPOUSE[0]
    assert answer["marriage_registry"].source_department.name == "广东省民政厅"
    assert ThemeLibrary.objects.get(code="dibao_households").count == 10
    assert ThemeLibrary.objects.get(code="food_licence_holders").count >= 1
    demo.load("x")  # a second run changes nothing
    assert services.read("person", number, ["marital_status"])["marital_status"].value == "21"
    assert Person.index_for(number)  # the same index an account of this citizen would have
