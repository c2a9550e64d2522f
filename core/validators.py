"""Text and dates that people type are stored only if they can be shown, mailed and exported safely.

A single-line field (every CharField: names, titles, subjects, addresses) takes no control
character at all: a CR or LF in a group name breaks the mail headers it goes into and the .ics
lines it is written to, and a NUL breaks PostgreSQL. Multi-line fields (TextField) keep line breaks
and tabs but no other control character. Neither takes the bidirectional embedding, override and
isolate characters (U+202A-U+202E, U+2066-U+2069): U+202E makes "gpj.exe" read as "exe.jpg".

A date lies in DATE_YEARS (2000 to 2100): a year such as 0001 or 9999 is a typing mistake, and
it breaks what is made from it later (a fiscal year with no era, a weekly series or a month's end
past the last date Python has), so a record saved once took its CSV export down for everyone.

The validators are attached to the fields of every project model in one place
(`install_field_validators`, called from CoreConfig.ready) instead of a field subclass in every
app: the rules change no column, so they need no migration in any app.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from core.fiscal import FISCAL_YEAR_BOUNDS

# --- Fiscal years ------------------------------------------------------------------------------------
# The years a URL may ask for (core.fiscal): the portal's records start in Heisei.
FISCAL_YEAR_MESSAGE = _("年度は1989〜2100の西暦の年で入力してください（例: 2026）。")
fiscal_year_validators = [
    MinValueValidator(FISCAL_YEAR_BOUNDS[0], message=FISCAL_YEAR_MESSAGE),
    MaxValueValidator(FISCAL_YEAR_BOUNDS[-1], message=FISCAL_YEAR_MESSAGE),
]

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# C0 and C1 controls, DEL, the line and paragraph separators, the bidi controls.
# And U+FFFD, what a character that could not be read became (core.middleware makes a NUL typed
# into a form one): refused by name, so the person sees where it is and nothing broken is kept.
SINGLE_LINE_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffd{BIDI_CONTROLS}]")
MULTI_LINE_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd{BIDI_CONTROLS}]")

NAMES = {
    "\r": _("改行（CR）"),
    "\n": _("改行（LF）"),
    "\t": _("タブ"),
    "\x00": _("NUL 文字"),
    "\u2028": _("改行（行区切り）"),
    "\u2029": _("改行（段落区切り）"),
    "\ufffd": _("読み取れない文字（\ufffd）"),
}


def _describe(char: str) -> str:
    if char in NAMES:
        return str(NAMES[char])
    code = f"{ord(char):04X}"
    if re.match(f"[{BIDI_CONTROLS}]", char):
        return _("文字の向きを変える制御文字（U+%(code)s）") % {"code": code}
    return _("制御文字（U+%(code)s）") % {"code": code}


@deconstructible
class NoControlCharacters:
    """Refuses control characters; `multiline` allows line breaks and tabs."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        pattern = MULTI_LINE_FORBIDDEN if self.multiline else SINGLE_LINE_FORBIDDEN
        found = pattern.search(value)
        if found:
            raise ValidationError(
                _("%(what)s は使えません。1行の文字だけで入力してください。")
                if not self.multiline and found.group() != "\ufffd"
                else _("%(what)s は使えません。取り除いてからもう一度入力してください。"),
                code="control_character",
                params={"what": _describe(found.group())},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


no_control_characters = NoControlCharacters()
no_control_characters_multiline = NoControlCharacters(multiline=True)


# URLField's own validator also takes ftp:// and ftps://; a link people click is http(s) only.
http_only = URLValidator(
    schemes=["http", "https"], message=_("http:// または https:// から始まるURLを入力してください。")
)


def single_line(text: str | None) -> str:
    """For output that must be one line whatever is stored (mail subjects, .ics names, filenames):
    control characters become spaces, runs of spaces one."""
    if not text:
        return ""
    return " ".join(SINGLE_LINE_FORBIDDEN.sub(" ", str(text)).split())


# Every text has a bound: a multi-line field without its own max_length takes at most this many
# characters (about twelve pages; below the 32,767 an Excel cell holds, so CSV exports open whole).
TEXT_MAX_LENGTH = 20_000
text_max_length = MaxLengthValidator(
    TEXT_MAX_LENGTH,
    message=_("%(limit_value)s文字以内で入力してください（いまは%(show_value)s文字です）。"),
)


# The years a date may have: wide enough for any record of a center, narrow enough to catch a typo.
DATE_YEARS = range(2000, 2101)


def plausible_date(value: dt.date | dt.datetime | None) -> None:
    """A date (or the date of a date and time) in DATE_YEARS, or an error that says so."""
    if value is not None:
        plausible_year(value.year)


def plausible_year(year: int, *, what: str = _("日付")) -> None:
    """The year of a date (or of a month: what=_("月")) in DATE_YEARS, or an error that says so."""
    if year not in DATE_YEARS:
        raise ValidationError(
            _("%(first)s年から%(last)s年までの%(what)sを入力してください。"),
            code="year_out_of_range",
            params={"first": DATE_YEARS[0], "last": DATE_YEARS[-1], "what": what},
        )


def not_after_today(instance, field_name: str) -> None:
    """For a model's clean(): the day a record is about (相談日, 報告日, 実施日) is written afterwards,
    so it is not after today (the Japan date). A slip of the year would sit on top of 「新しい順」
    and count in a fiscal year not begun. The error names the field by its label."""
    from django.utils import timezone
    from django.utils.formats import date_format

    day, today = getattr(instance, field_name), timezone.localdate()
    if day is not None and day > today:
        label = instance._meta.get_field(field_name).verbose_name
        raise ValidationError(
            {
                field_name: _("%(label)sに先の日付は入れられません（今日は%(today)s）。")
                % {"label": label, "today": date_format(today, "DATE_FORMAT")}
            }
        )


def _declares_bounds(field) -> bool:
    """A field that declares its own Min/MaxValueValidator keeps them (a historical date)."""
    return any(isinstance(v, MinValueValidator | MaxValueValidator) for v in field._validators)


def install_field_validators(app_labels) -> None:
    """Adds the validators to every CharField and TextField of the given apps' models: no control
    characters, and a bound on the length of a TextField that declares none; and to every date
    that people edit: a year in DATE_YEARS, unless it declares its own bounds.

    `field.validators` is the list that full_clean() (and so every ModelForm, the admin and the
    services) runs; it is built once per field from default_validators and the declared ones.
    Appending there, not to the declared `_validators`, keeps the field's deconstruction (and so
    its migrations) unchanged.
    """
    from django.apps import apps

    for label in app_labels:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            for field in model._meta.local_fields:
                if (
                    isinstance(field, models.DateField)  # DateTimeField too
                    and field.editable
                    and not _declares_bounds(field)
                    and plausible_date not in field.validators
                ):
                    field.validators.append(plausible_date)
                if isinstance(field, models.URLField) and http_only not in field.validators:
                    field.validators.append(http_only)
                if isinstance(field, models.TextField):
                    validator = no_control_characters_multiline
                elif isinstance(field, models.CharField):
                    validator = no_control_characters
                else:
                    continue
                if validator not in field.validators:
                    field.validators.append(validator)
                if (
                    isinstance(field, models.TextField)
                    and field.editable  # not columns the code derives, such as search_text
                    and field.max_length is None
                    and text_max_length not in field.validators
                ):
                    field.validators.append(text_max_length)


def end_not_before_start(form, data: dict, start: str, end: str, message: str) -> dict:
    """For a form's clean(): the date in field `end` may not come before the one in `start`
    (the error goes next to `end`). Returns the cleaned data."""
    if data.get(start) and data.get(end) and data[end] < data[start]:
        form.add_error(end, message)
    return data
