"""Citizen ID numbers and unified social credit codes (GB 11643-1999, GB 32100-2015).

Check characters in these tests are computed by small independent implementations of
the rules as GB 11643-1999 and GB 32100-2015 state them, so a wrong weight in our code cannot hide
behind the same wrong weight in the test.
"""

import datetime

import pytest
from stdnum.cn import ric, uscc

from govhall.core import identifiers
from govhall.core.identifiers import (
    make_credit_code,
    make_id_number,
    mask_id_number,
    validate,
    validate_credit_code,
    validate_id_number,
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    """GB 11643: ISO 7064 MOD 11-2, Σ mod 11 indexes "10X98765432"."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def uscc_check(first17: str) -> str:
    """GB 32100: C18 = 31 − (Σ mod 31), 31 → 0."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def gb11714_check(body8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body8, GB11714_WEIGHTS, strict=True))
    return {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))


def id_number(first17: str) -> str:
    return first17 + id_check(first17)


def credit_code(first8: str, body8: str, entity_check: str | None = None) -> str:
    first17 = first8 + body8 + (entity_check or gb11714_check(body8))
    return first17 + uscc_check(first17)


def codes(result) -> list[str]:
    return [e.code for e in result.errors]


def messages(result) -> str:
    return " ".join(e.message for e in result.errors)


# --- citizen ID numbers ------------------------------------------------------------


class TestIdNumberValid:
    def test_a_correct_number_is_valid_and_unchanged(self):
        number = id_number("44070319900101514")
        result = validate_id_number(number)
        assert result.valid
        assert result.errors == []
        assert result.normalized == number

    def test_make_id_number_agrees_with_the_standard(self):
        number = make_id_number("440703", datetime.date(1990, 1, 1), 514)
        assert number == id_number("44070319900101514")

    def test_county_younger_than_its_holder_is_accepted(self):
        # 440118 增城区 was created in 2014; a holder born in 1980 carries it legitimately
        # when the number was issued (or re-issued) by 增城区 (GB 11643-1999).
        number = make_id_number("440118", datetime.date(1980, 5, 17), 123)
        assert ric.calc_check_digit(number) == number[-1]  # the check digit is right...
        assert not ric.is_valid(number)  # ...yet stdnum rejects the county as too young
        result = validate_id_number(number)
        assert result.valid, result.errors

    def test_check_character_x_is_accepted_in_lower_case(self):
        number = make_id_number("440703", datetime.date(1985, 3, 9), 106)
        assert number.endswith("X")
        result = validate_id_number(number.lower())
        assert result.valid
        assert result.normalized == number

    @pytest.mark.parametrize(
        "typed",
        [
            "４４０７０３１９９００１０１５１４{check}",  # full-width digits
            "440703 19900101 514{check}",  # spaces between groups
            "440703-19900101-514{check}",  # hyphens
            "  440703—19900101 514{check}\t",  # an em dash and surrounding blanks
            "４４０７０３　１９９０－０１０１－５１４{check}",  # full-width blank and hyphen
        ],
    )
    def test_clerk_typing_is_normalised(self, typed):
        number = id_number("44070319900101514")
        result = validate_id_number(typed.format(check=number[-1]))
        assert result.valid, result.errors
        assert result.normalized == number

    def test_fifteen_digit_first_generation_number_is_upgraded_to_eighteen(self):
        result = validate_id_number("440703900101514")
        assert result.valid
        assert result.normalized == id_number("44070319900101514")
        assert len(result.normalized) == 18

    def test_birth_today_is_not_in_the_future(self):
        today = datetime.date(2026, 11, 21)
        assert validate_id_number(make_id_number("440703", today, 1), today=today).valid


class TestIdNumberInvalid:
    def test_wrong_check_character(self):
        good = id_number("44070319900101514")
        wrong = good[:17] + ("1" if good[-1] != "1" else "2")
        result = validate_id_number(wrong)
        assert codes(result) == ["checksum"]
        assert "最后一位与前17位对不上" in messages(result)
        assert "MOD 11-2" not in messages(result)  # the code names the rule, not the words

    def test_impossible_date(self):
        result = validate_id_number(id_number("44070319900230123"))
        assert codes(result) == ["birth_date"]
        assert "19900230" in messages(result)
        assert "出生日期" in messages(result)

    def test_future_birth_date(self):
        today = datetime.date(2026, 11, 21)
        number = make_id_number("440703", today + datetime.timedelta(days=1), 123)
        result = validate_id_number(number, today=today)
        assert codes(result) == ["birth_date_future"]
        assert "晚于今天" in messages(result)

    def test_future_birth_date_against_the_real_today(self):
        number = make_id_number("440703", datetime.date.today() + datetime.timedelta(days=1), 1)
        assert codes(validate_id_number(number)) == ["birth_date_future"]

    def test_birth_year_before_1880(self):
        result = validate_id_number(id_number("44070318790101123"))
        assert codes(result) == ["birth_date_range"]
        assert "1880" in messages(result)

    def test_unknown_province_prefix(self):
        result = validate_id_number(id_number("99070319900101514"))
        assert codes(result) == ["address_code"]
        assert "“99”" in messages(result)
        assert "不是任何省份的代码" in messages(result)
        assert "GB/T 2260" not in messages(result)

    @pytest.mark.parametrize(
        ("value", "length"),
        [("4407031990010151", 16), ("4407031990010151401", 19), ("44070319900101514", 17)],
    )
    def test_wrong_length(self, value, length):
        result = validate_id_number(value)
        assert codes(result) == ["length"]
        assert f"当前为{length}位" in messages(result)

    def test_letters_in_the_first_seventeen(self):
        result = validate_id_number("44070319900101A140")
        assert codes(result) == ["format"]
        assert "前17位须为数字" in messages(result)

    def test_last_character_other_than_x(self):
        result = validate_id_number("44070319900101514Y")
        assert codes(result) == ["format"]

    @pytest.mark.parametrize("blank", ["", "   ", "--", None])
    def test_empty(self, blank):
        result = validate_id_number(blank)
        assert codes(result) == ["required"]
        assert "不能为空" in messages(result)

    def test_several_faults_are_all_reported(self):
        number = id_number("99070319900230123")
        wrong = number[:17] + ("1" if number[-1] != "1" else "2")
        assert codes(validate_id_number(wrong)) == ["address_code", "birth_date", "checksum"]

    def test_every_message_is_chinese_and_names_the_rule(self):
        samples = [
            "",
            "12345",
            "44070319900101A140",
            id_number("99070319900101514"),
            id_number("44070319900230123"),
        ]
        for value in samples:
            for error in validate_id_number(value).errors:
                assert "身份证号码" in error.message
                assert error.as_dict()["field"] == "value"


# --- unified social credit codes ---------------------------------------------------


class TestCreditCodeValid:
    @pytest.mark.parametrize(
        "code",
        [
            "91440300708461136T",  # 腾讯科技（深圳）有限公司
            "91350100M000100Y43",  # a published Fuzhou code with letters in the entity code
        ],
    )
    def test_real_published_codes(self, code):
        assert validate_credit_code(code).valid

    @pytest.mark.parametrize(
        ("authority_category", "what"),
        [
            ("N2", "村级集体经济组织"),
            ("N3", "乡镇级集体经济组织"),
            ("Y1", "其他"),
            ("54", "村民委员会"),
            ("55", "居民委员会"),
            ("J1", "业主大会"),
            ("G1", "境外非政府组织代表机构"),
            ("A1", "军队单位"),
            ("35", "仲裁委员会"),
            ("19", "其他机构编制"),
        ],
    )
    def test_letters_and_later_categories_in_positions_one_and_two(self, authority_category, what):
        code = make_credit_code(authority_category, "440703", "MA5ABCDE")
        assert code == credit_code(authority_category + "440703", "MA5ABCDE")
        result = validate_credit_code(code)
        assert result.valid, (what, result.errors)

    def test_stdnum_rejects_letters_in_positions_one_and_two_but_we_accept_them(self):
        code = make_credit_code("N2", "440703", "12345678")
        assert not uscc.is_valid(code)
        assert validate_credit_code(code).valid

    def test_national_registration_region(self):
        assert validate_credit_code(credit_code("11100000", "00001344")).valid

    @pytest.mark.parametrize(
        "typed",
        ["91440300708461136t", "9144 0300 7084 6113 6T", "９１４４０３００７０８４６１１３６Ｔ"],
    )
    def test_lower_case_spaces_and_full_width_are_normalised(self, typed):
        result = validate_credit_code(typed)
        assert result.valid, typed
        assert result.normalized == "91440300708461136T"


class TestCreditCodeInvalid:
    def test_wrong_check_character(self):
        good = "91440300708461136T"
        result = validate_credit_code(good[:17] + "U")
        assert codes(result) == ["checksum"]
        assert "第18位校验码" in messages(result)
        assert "第18位校验码错误" in messages(result) and "GB 32100" not in messages(result)

    @pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
    def test_forbidden_letters(self, letter):
        code = "91440300708461136T"
        result = validate_credit_code(code[:17] + letter)
        assert codes(result) == ["alphabet"]
        assert f"“{letter}”" in messages(result)
        assert "不使用I、O、S、V、Z" in messages(result)

    def test_wrong_gb11714_entity_check(self):
        body = "70846113"
        wrong_entity_check = "7" if gb11714_check(body) != "7" else "8"
        code = credit_code("91440300", body, wrong_entity_check)
        result = validate_credit_code(code)
        assert codes(result) == ["entity_checksum"]  # the overall check is right
        assert "组织机构代码" in messages(result) and "GB 11714" not in messages(result)
        assert "第9–17位" in messages(result)

    def test_stdnum_misses_the_entity_check_that_we_make(self):
        body = "70846113"
        code = credit_code("91440300", body, "7" if gb11714_check(body) != "7" else "8")
        assert uscc.is_valid(code)
        assert not validate_credit_code(code).valid

    def test_unknown_registration_authority(self):
        result = validate_credit_code(credit_code("B1440300", "70846113"))
        assert codes(result) == ["authority"]
        assert "第1位“B”不是有效的登记管理部门代码" in messages(result)

    def test_category_not_used_by_that_authority(self):
        result = validate_credit_code(credit_code("95440300", "70846113"))
        assert codes(result) == ["category"]
        assert "第2位机构类别“5”与第1位“9”不相配" in messages(result)

    def test_letters_in_the_region_code(self):
        result = validate_credit_code(credit_code("9144A300", "70846113"))
        assert codes(result) == ["region_code"]
        assert "行政区划码" in messages(result)

    def test_unknown_region(self):
        result = validate_credit_code(credit_code("91990300", "70846113"))
        assert codes(result) == ["region_code"]
        assert "990300" in messages(result)

    @pytest.mark.parametrize("value", ["9144030070846113", "91440300708461136T1"])
    def test_wrong_length(self, value):
        result = validate_credit_code(value)
        assert codes(result) == ["length"]
        assert f"当前为{len(value)}位" in messages(result)

    def test_empty(self):
        assert codes(validate_credit_code("")) == ["required"]


# --- dispatch and display ------------------------------------------------------------


def test_validate_dispatches_on_kind():
    assert validate("id_number", "440703900101514").normalized == id_number("44070319900101514")
    assert validate("credit_code", "91440300708461136t").normalized == "91440300708461136T"
    with pytest.raises(ValueError, match="unknown identifier kind"):
        validate("passport", "E12345678")


class TestMasking:
    def test_region_and_last_four_stay(self):
        assert mask_id_number("440703199001015140") == "4407**********5140"

    def test_typed_forms_are_masked_after_cleaning(self):
        assert mask_id_number("４４０７０３ 1990-0101 514x") == "4407**********514X"

    def test_first_generation_number(self):
        assert mask_id_number("440703900101514") == "4407*******1514"

    def test_short_values_are_fully_hidden(self):
        assert mask_id_number("12345678") == "********"
        assert mask_id_number("") == ""


def test_the_check_helpers_of_this_module_match_stdnum():
    """Our independent helpers and stdnum agree, so the other tests test the real rule."""
    first17 = "44070319900101514"
    assert id_check(first17) == ric.calc_check_digit(first17 + "0")
    assert uscc_check("91440300708461136") == uscc.calc_check_digit("91440300708461136")
    assert identifiers.gb11714_check_char("70846113") == gb11714_check("70846113") == "6"
