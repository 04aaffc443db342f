"""The coding rule and the consistency/completeness rules, one rule at a time."""

import pytest

from govhall.catalog.services import codes, documents, rules
from govhall.core.errors import Refusal

from .factories import BASE_DOC, department, ensure_themes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("XK0001000", "basic_code_length"),
        ("AB00001000", "basic_code_type"),
        ("XK0000100A", "basic_code_digits"),
        ("XK00000000", "basic_code_main"),
    ],
)
def test_malformed_basic_codes_are_rejected(code, rule):
    assert [p.code for p in codes.check_basic_code(code)] == [rule]


def test_basic_code_parts():
    parsed = codes.parse_basic_code("QR00012003")
    assert (parsed.item_type, parsed.main, parsed.sub) == ("QR", 12, 3)
    assert parsed.is_sub_item and parsed.main_code == "QR00012000"
    with pytest.raises(Refusal):
        codes.parse_basic_code("QR1")


def test_generated_codes_follow_the_rule():
    from govhall.catalog.models import BasicItem

    assert codes.next_basic_code("JF") == "JF00001000"
    BasicItem.objects.create(code="JF00041000", name="x", item_type="JF")
    assert codes.next_basic_code("JF") == "JF00042000"
    assert codes.next_basic_code("JF", main="JF00041000") == "JF00041001"
    BasicItem.objects.create(code="JF00041001", name="y", item_type="JF")
    assert codes.next_basic_code("JF", main="JF00041000") == "JF00041002"


def test_implementation_code_shape_and_checks():
    dept = department()
    code = codes.implementation_code(dept, "QR00001000")
    assert len(code) == 29 and code.startswith(dept.credit_code + "3")
    assert codes.check_implementation_code(code) == []
    town = department().__class__.objects.filter(region__level="town").first()
    if town is not None:
        assert codes.implementation_code(town, "GG00001000")[18] == "5"
    broken = code[:17] + ("0" if code[17] != "0" else "1") + code[18:]
    assert "implementation_code_credit_checksum" in {
        p.code for p in codes.check_implementation_code(broken)
    }
    assert {p.code for p in codes.check_implementation_code(code[:18] + "9" + code[19:])} == {
        "implementation_code_level"
    }
    assert codes.check_implementation_code("123")[0].code == "implementation_code_length"


def check(complete=False, **changes):
    ensure_themes()
    doc, problems = documents.normalize({**BASE_DOC, **changes})
    assert problems == []
    return {p.code for p in rules.check(doc, BASE_DOC["item_type"], complete=complete)}


def test_base_document_is_consistent_and_complete():
    assert check(complete=True) == set()


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"promised_limit_days": 0, "case_type": "2"}, "instant_limit_needs_instant_case"),
        (
            {"promised_limit_days": 3, "case_type": "1", "statutory_limit_days": 5},
            "instant_case_needs_instant_limit",
        ),
        (
            {"promised_limit_days": 9, "case_type": "2", "statutory_limit_days": 5},
            "promised_exceeds_statutory",
        ),
        ({"visits": 1, "visits_reason": ""}, "visits_need_reason"),
        ({"depth": 4}, "fully_online_zero_visits"),
        ({"depth": 3, "visits": 2}, "depth_three_one_visit"),
        ({"channels": ["counter"]}, "depth_needs_online_channel"),
        ({"depth": 1}, "online_channel_needs_depth"),
        ({"has_fee": True}, "fee_needs_basis"),
        ({"has_fee": True, "fee_basis": "物价文件"}, "fee_needs_items"),
        ({"fees": [{"name": "工本费", "standard": "5元"}]}, "no_fee_no_items"),
        ({"supports_online_payment": True}, "payment_needs_fee"),
        ({"delivery": ["post"]}, "post_needs_logistics"),
        ({"audiences": ["2"]}, "theme_audience_person"),
        ({"themes": ["company-setup"]}, "theme_audience_company"),
    ],
)
def test_each_consistency_rule(changes, rule):
    assert rule in check(**changes)


def test_step_limits_must_fit_the_promise():
    steps = [
        {"name": "受理", "post": "clerk", "time_limit_days": 3},
        {"name": "审批", "post": "approver", "time_limit_days": 3},
    ]
    assert "steps_exceed_promised" in check(
        steps=steps, promised_limit_days=5, case_type="2", statutory_limit_days=20
    )
    assert "steps_exceed_promised" not in check(
        steps=steps, promised_limit_days=6, case_type="2", statutory_limit_days=20
    )


def test_material_rules():
    base = BASE_DOC["materials"][0]
    assert "licence_source_needs_type" in check(
        materials=[{**base, "licence_type_name": "", "licence_type_code": ""}]
    )
    assert "shared_source_needs_provider" in check(
        materials=[{**base, "source": "shared", "licence_type_name": ""}]
    )
    assert "fetched_material_not_paper" in check(materials=[{**base, "media": "paper"}])
    assert "paper_needs_count" in check(
        materials=[{"name": "申请表", "media": "paper", "originals": 0, "copies": 0}]
    )
    assert "duplicate_material_code" in check(materials=[base, base])


def test_integrity_risk_rules():
    step = {"name": "审查", "post": "reviewer", "risk_points": "吃拿卡要"}
    assert "risk_needs_controls" in check(steps=[step])
    assert "risk_level_needs_points" in check(
        steps=[{"name": "审查", "post": "reviewer", "risk_level": "high"}]
    )


def test_completeness_rules_only_at_submit():
    changes = {"conditions": "", "legal_basis": "", "materials": [], "steps": [], "themes": []}
    assert check(**changes) == set()
    codes_ = check(complete=True, **changes)
    assert {"required_for_submit"} == codes_


def test_field_problems_name_the_field():
    _doc, problems = documents.normalize(
        {**BASE_DOC, "depth": "五", "visits": -1, "has_fee": "也许", "name": "名" * 201}
    )
    fields = {p.field: p for p in problems}
    assert fields["depth"].code == "integer"
    assert fields["visits"].code == "min_value"
    assert fields["has_fee"].message == "“是否收费”须填写“是”或“否”，不能是“也许”。"
    assert fields["name"].code == "max_length"
    _doc, problems = documents.normalize({**BASE_DOC, "materials": [{"name": ""}]})
    assert problems[0].field == "materials[0].name"
    assert problems[0].message == "第1项申请材料的“材料名称”为必填项。"
