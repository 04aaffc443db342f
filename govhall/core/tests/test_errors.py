"""The one refusal type, as web forms and the API's handler read it."""

import pickle

import pytest
from django import forms
from django.core.exceptions import ValidationError

from govhall.core.api.errors import status_of
from govhall.core.errors import NON_FIELD, Problem, Refusal, deny, problems_of, refuse
from govhall.core.inputs import first_bad_string, json_depth_exceeds, loads


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False)


def test_a_refusal_is_shown_by_a_form_like_its_own_errors():
    form = ReasonForm({"reason": ""})
    assert form.is_valid()
    form.add_error(None, refuse("reason", "required", "请填写撤回理由。"))
    assert form.errors == {"reason": ["请填写撤回理由。"]}
    assert form.errors.as_data()["reason"][0].code == "required"


def test_several_problems_at_once():
    refusal = Refusal(
        [
            Problem("name", "required", "请填写名称。"),
            Problem("name", "max_length", "名称过长。"),
            Problem("fees", "fee_needs_items", "须列出收费项目。"),
        ]
    )
    assert refusal.message_dict == {
        "name": ["请填写名称。", "名称过长。"],
        "fees": ["须列出收费项目。"],
    }
    assert refusal.messages == ["请填写名称。", "名称过长。", "须列出收费项目。"]
    assert str(refusal) == "请填写名称。；名称过长。；须列出收费项目。"
    assert (refusal.field, refusal.code) == ("name", "required")
    assert problems_of(refusal) == list(refusal.problems)


def test_it_survives_pickling_and_wrapping():
    refusal = refuse("days", "format", "第1行格式错误。")
    again = pickle.loads(pickle.dumps(refusal))
    assert again.problems == refusal.problems and isinstance(again, Refusal)
    assert ValidationError(refusal).message_dict == {"days": ["第1行格式错误。"]}
    with pytest.raises(ValueError):
        Refusal([])


def test_plain_validation_errors_become_problems():
    assert problems_of(ValidationError("出错了", code="bad")) == [
        Problem(NON_FIELD, "bad", "出错了")
    ]
    error = ValidationError({"file": [ValidationError("%(n)s过大", code="size", params={"n": 1})]})
    assert problems_of(error) == [Problem("file", "size", "1过大")]


def test_status_comes_from_the_codes():
    assert status_of([Problem("reason", "required", "")]) == 400
    assert status_of([Problem("action", "transition_not_allowed", "")]) == 409
    assert status_of(deny("不在范围内").problems) == 403
    assert deny("不在范围内").denied and not refuse("a", "b", "c").denied
    # the most serious wins
    assert status_of([Problem("a", "required", ""), Problem("b", "not_your_task", "")]) == 403
    # two codes answered by field, as they always were
    assert status_of([Problem("case", "not_found", "")]) == 403
    assert status_of([Problem("region", "not_found", "")]) == 400
    assert status_of([Problem("state", "transition_not_allowed", "")]) == 400


def test_json_depth_is_counted_without_parsing():
    assert json_depth_exceeds("[" * 65)
    assert not json_depth_exceeds("[" * 64 + "]" * 64)
    assert not json_depth_exceeds('{"a": "[[[[[[[[[[", "b": "\\"[[[["}', limit=1)
    assert json_depth_exceeds('{"a": {"b": 1}}', limit=1)
    with pytest.raises(ValueError, match="64"):
        loads("[" * 100_000)


def test_the_first_bad_string_is_named_by_its_path():
    assert first_bad_string({"a": ["ok", {"b": "x\x00"}]}) == "a[1].b"
    assert first_bad_string({"a": "tab\tline\nreturn\r"}) is None
    assert first_bad_string({"a": {"bad\x00key": 1}}) == "a"
    assert first_bad_string({"bad\nkey": 1}) == ""
    assert first_bad_string(["\ud800"]) == "[0]"
