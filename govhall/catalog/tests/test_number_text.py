"""Numbers as people write them (issue #15 point 5)."""

import pytest

from govhall.cases.forms import range_hint

from ..services import forms


@pytest.mark.parametrize(
    ("value", "text"),
    [(1500.0, "1500"), (1500, "1500"), ("1500.50", "1500.5"), (0.05, "0.05"), (1e-7, "0.0000001")],
)
def test_number_text(value, text):
    assert forms.number_text(value) == text


def test_a_whole_decimal_answer_is_stored_whole():
    spec = [{"name": "income", "label": "月收入", "type": "decimal", "required": True}]
    answers, problems = forms.clean_answers(spec, {"income": "1500"})
    assert not problems and answers["income"] == 1500 and isinstance(answers["income"], int)
    answers, _ = forms.clean_answers(spec, {"income": "1500.25"})
    assert answers["income"] == 1500.25


def test_range_hints_name_the_ends_there_are():
    assert range_hint({"min": 0, "max": 20.0}) == "范围：0～20"
    assert range_hint({"min": 0}) == "不小于0"
    assert range_hint({"max": 20}) == "不大于20"
    assert range_hint({}) == ""
