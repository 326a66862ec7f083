"""GB 32100-2015 credit codes: check character, alphabet, explanations."""

import pytest

from gridwatch.registry import (
    explain_uscc,
    is_valid_uscc,
    normalise_uscc,
    uscc_check_digit,
)

# Published codes (business licences displayed on the companies' own sites)
REAL = ["914403001922038216", "91440300708461136T", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL)
def test_uscc_check_digit_matches_published_codes(code):
    assert uscc_check_digit(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL)
def test_is_valid_uscc_accepts_published_codes(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", REAL)
def test_is_valid_uscc_rejects_every_wrong_check_character(code):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = [code[:17] + c for c in alphabet if c != code[17]]
    assert not any(is_valid_uscc(w) for w in wrong)


def test_is_valid_uscc_catches_a_single_typo():
    code = REAL[0]
    typo = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
    assert not is_valid_uscc(typo)


def test_uscc_check_digit_zero_when_sum_divisible():
    # a 17-char prefix whose weighted sum is a multiple of 31 → check "0"
    assert uscc_check_digit("00000000000000000") == "0"


def test_uscc_check_digit_rejects_bad_input():
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_digit("123")
    with pytest.raises(ValueError, match="alphabet"):
        uscc_check_digit("9144030019220382I")


def test_explain_uscc_length():
    assert "17 characters" in explain_uscc(REAL[0][:17])


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_explain_uscc_excluded_letters(letter):
    code = REAL[1][:10] + letter + REAL[1][11:]
    assert "I, O, Z, S and V" in explain_uscc(code)


def test_explain_uscc_lower_case_and_symbols():
    assert "capitals" in explain_uscc(REAL[1].lower())
    assert "only digits" in explain_uscc(REAL[0][:17] + "#")


def test_explain_uscc_division_code_must_be_digits():
    first17 = "91A40300708461136"
    code = first17 + uscc_check_digit(first17)
    assert "division code" in explain_uscc(code)


def test_explain_uscc_check_character():
    assert explain_uscc("914403001922038217").startswith(
        "check character is 7 but should be 6 (GB 32100-2015)")


def test_explain_uscc_empty():
    assert explain_uscc("") == "credit code is empty"


def test_normalise_uscc_spaces_case_fullwidth():
    assert normalise_uscc(" ９１４４０３００-708461136t ") == "91440300708461136T"
