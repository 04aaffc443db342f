"""证照标识 and its ISO 7064 MOD 37,36 check character."""

import pytest
from stdnum.iso7064 import mod_37_36

from govhall.core.errors import Refusal

from ..services import identifiers

TYPE = "11440000006941385C001"
ISSUER = "11440700007035011R"


def test_check_character_is_mod_37_36_over_the_string_without_root_and_dots():
    text = identifiers.build(TYPE, ISSUER, "202600000001", 1)
    assert text.startswith("1.2.156.3005.2." + TYPE + "." + ISSUER + ".202600000001.001")
    body = text.removeprefix("1.2.156.3005.2.").replace(".", "")
    assert mod_37_36.is_valid(body)
    # Hand-checked with the algorithm of ISO 7064 (hybrid system, M=36, M+1=37).
    assert mod_37_36.calc_check_digit(TYPE + ISSUER + "202600000001001") == text[-1]


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def hybrid_check(body: str) -> str:
    """ISO 7064 MOD 37,36 written out from the standard, independent of python-stdnum."""
    m = 36
    p = m
    for char in body:
        s = (p % (m + 1)) + ALPHABET.index(char)
        s = s % m or m
        p = (2 * s) % (m + 1)
    return ALPHABET[(m + 1 - p) % m]


@pytest.mark.parametrize(
    ("body", "check"),
    [("A12425GABC1234002", "M"), (TYPE + ISSUER + "202600000001001", None)],
)
def test_check_characters_agree_with_the_standard(body, check):
    expected = hybrid_check(body)
    if check is not None:
        assert expected == check  # python-stdnum's documented example
    assert mod_37_36.calc_check_digit(body) == expected
    assert identifiers.build(TYPE, ISSUER, "202600000001", 1)[-1] == hybrid_check(
        TYPE + ISSUER + "202600000001001"
    )


def test_parse_round_trip_and_every_broken_rule_is_named():
    text = identifiers.build(TYPE, ISSUER, "202600000007", 12)
    parsed = identifiers.parse(text.lower())
    assert (parsed.type_code, parsed.issuer_code, parsed.serial, parsed.version) == (
        TYPE,
        ISSUER,
        "202600000007",
        12,
    )
    assert str(parsed) == text
    wrong = text[:-1] + ("0" if text[-1] != "0" else "1")
    with pytest.raises(Refusal, match="校验位"):
        identifiers.parse(wrong)
    with pytest.raises(Refusal, match="开头"):
        identifiers.parse("2.16.156." + text[15:])
    with pytest.raises(Refusal, match="格式"):
        identifiers.parse("1.2.156.3005.2.ABC.001")


def test_version_digits_are_bounded():
    with pytest.raises(Refusal):
        identifiers.build(TYPE, ISSUER, "1", 1000)
