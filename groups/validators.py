"""法人番号 (corporate number) and 郵便番号 (postal code) checks."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 設立年 from 1868 (明治元年: no group the centre registers is older) to this year; 会員数 up to
# 100,000 (more is a typing slip: the largest group in the city has a few thousand members).
FOUNDED_YEAR_MIN = 1868
MEMBER_COUNT_MAX = 100_000

validate_founded_year_min = MinValueValidator(
    FOUNDED_YEAR_MIN, message=_("設立年は1868年（明治元年）以降の西暦で入力してください（例: 2015）。")
)
validate_member_count_max = MaxValueValidator(
    MEMBER_COUNT_MAX, message=_("会員数は100,000人以下で入力してください。")
)

_CORPORATE_NUMBER = re.compile(r"^\d{13}$")
_POSTAL_CODE = re.compile(r"^(\d{3})-?(\d{4})$")


def normalize_digits(value: str) -> str:
    """Full-width digits and hyphens to half-width, spaces and hyphens in numbers removed."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    return re.sub(r"[\s\-‐－ー−]", "", value)


def corporate_number_check_digit(base12: str) -> int:
    """The check digit of a 法人番号 from its 12-digit base number.

    National Tax Agency (国税庁) spec: counting the 12 digits from the right (n = 1..12), weight
    1 for odd n and 2 for even n; check digit = 9 - (sum of digit × weight) mod 9. The check
    digit is the FIRST of the 13 digits.
    """
    total = sum(
        int(digit) * (1 if position % 2 == 1 else 2) for position, digit in enumerate(reversed(base12), 1)
    )
    return 9 - total % 9


def is_valid_corporate_number(value: str) -> bool:
    return bool(_CORPORATE_NUMBER.match(value)) and int(value[0]) == corporate_number_check_digit(value[1:])


def validate_corporate_number(value: str) -> None:
    if not _CORPORATE_NUMBER.match(value or ""):
        raise ValidationError(_("法人番号は13桁の数字で入力してください。"), code="format")
    if not is_valid_corporate_number(value):
        raise ValidationError(
            _("法人番号が正しくありません（確認用の数字が一致しません）。番号をもう一度お確かめください。"),
            code="check_digit",
        )


def normalize_postal_code(value: str) -> str:
    """ "１００－０００１" or "1000001" → "100-0001"; anything else is returned as typed (NFKC)."""
    folded = unicodedata.normalize("NFKC", value or "").strip().replace("〒", "").strip()
    folded = re.sub(r"[‐－ー−]", "-", folded)
    match = _POSTAL_CODE.match(folded)
    return f"{match.group(1)}-{match.group(2)}" if match else folded


def validate_postal_code(value: str) -> None:
    if value and not re.match(r"^\d{3}-\d{4}$", value):
        raise ValidationError(
            _("郵便番号は7桁の数字で入力してください（例: 100-0001）。"), code="postal_code"
        )


def clean_sns_lines(text: str) -> str:
    """SNS addresses, one per line: only http(s) URLs (no javascript: links on public pages)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    validate = URLValidator(schemes=["http", "https"])
    for line in lines:
        try:
            validate(line)
        except ValidationError:
            raise ValidationError(
                _(
                    "「%(line)s」はURLとして正しくありません。"
                    "https:// から始まるURLを1行に1つ入力してください。"
                )
                % {"line": line}
            ) from None
    return "\n".join(lines)


def validate_sns_lines(text: str) -> None:
    """Model validator of Group.sns: the admin and every service refuse what the form refuses."""
    clean_sns_lines(text or "")


def validate_founded_year_not_future(year: int) -> None:
    """設立年 no later than this year: the Japan date when the value is checked, not when the code
    was loaded (a process running across New Year would refuse the new year)."""
    this_year = timezone.localdate().year
    if year is not None and year > this_year:
        raise ValidationError(
            _("設立年は今年（%(year)s年）以前の西暦で入力してください。"),
            code="future_year",
            params={"year": this_year},
        )
