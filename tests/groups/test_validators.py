import pytest
from django.core.exceptions import ValidationError

from groups.validators import (
    corporate_number_check_digit,
    is_valid_corporate_number,
    normalize_digits,
    normalize_postal_code,
    validate_corporate_number,
)

# Published 法人番号 (国税庁 法人番号公表サイト): 国税庁, トヨタ自動車, ソニーグループ, 日本税理士会連合会,
# and the worked example of the NTA's check digit explanation.
REAL_NUMBERS = ["7000012050002", "1180301018771", "5010401067252", "7010705000725", "7123456789012"]


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_published_corporate_numbers_pass_the_check_digit(number):
    """Real, published 法人番号 have a first digit equal to 9 - (Σ digit × 1/2 from the right) mod 9."""
    assert corporate_number_check_digit(number[1:]) == int(number[0])
    assert is_valid_corporate_number(number)
    validate_corporate_number(number)


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_any_single_changed_check_digit_is_refused(number):
    """Changing the check digit to any other value makes the number invalid."""
    for digit in "123456789":
        if digit != number[0]:
            assert not is_valid_corporate_number(digit + number[1:])


def test_a_typo_in_the_base_number_is_caught():
    """A one-digit typo (here 2 → 3 in the last place) fails the check digit."""
    with pytest.raises(ValidationError) as exc:
        validate_corporate_number("7000012050003")
    assert "確認用の数字" in exc.value.messages[0]


@pytest.mark.parametrize("value", ["", "700001205000", "70000120500021", "70000l2050002"])
def test_wrong_length_or_letters_are_refused_in_japanese(value):
    """Not 13 digits → 「13桁の数字で」 message."""
    with pytest.raises(ValidationError) as exc:
        validate_corporate_number(value)
    assert "13桁" in exc.value.messages[0]


def test_full_width_and_hyphenated_input_is_normalised():
    """７０００－０１２０－５０００２ (full width, hyphens) becomes 7000012050002."""
    assert normalize_digits("７-００００-１２０５-０００２") == "7000012050002"


@pytest.mark.parametrize("value", ["1000001", "100-0001", "１００－０００１", "〒100-0001"])
def test_postal_codes_are_stored_as_nnn_nnnn(value):
    assert normalize_postal_code(value) == "100-0001"
