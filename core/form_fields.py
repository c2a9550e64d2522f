"""Form fields and widgets that several apps' screens ask the same way (same label style, same
examples, same input hints), built in one place so they stay alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.models import Area, Department, Theme
from core.text import is_person_reading, is_phone_number, person_reading, phone_number
from core.validators import plausible_date


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO form, which is what the picker reads."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date a person types, in the picker: a year outside core.validators.DATE_YEARS is refused
    in words next to the field, as the models refuse it (for forms that are not ModelForms)."""

    default_validators = [plausible_date]
    widget = DateInput


def _checkboxes(label, queryset, *, required: bool = False, **kwargs) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label, queryset=queryset, required=required, widget=forms.CheckboxSelectMultiple, **kwargs
    )


def theme_checkboxes(label, **kwargs) -> forms.ModelMultipleChoiceField:
    """The active themes (活動分野) as checkboxes, optional unless required=True."""
    return _checkboxes(label, Theme.objects.active(), **kwargs)


def area_checkboxes(label, **kwargs) -> forms.ModelMultipleChoiceField:
    """The city's areas (地区) as checkboxes, optional unless required=True."""
    return _checkboxes(label, Area.objects.all(), **kwargs)


class _CheckedLikeTheProfile(forms.CharField):
    """A text normalised as the profile stores it, and refused with `message` when `accepts`
    says no (an empty value is left to `required`)."""

    normalise = staticmethod(str)
    accepts = staticmethod(bool)
    message = ""
    code = ""

    def to_python(self, value):
        return self.normalise(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and not self.accepts(value):
            raise forms.ValidationError(self.message, code=self.code)


class _ReadingField(_CheckedLikeTheProfile):
    """ふりがな stored as the profile stores it (core.text.person_reading), kana only."""

    normalise = staticmethod(person_reading)
    accepts = staticmethod(is_person_reading)
    message = _("ふりがなは、ひらがなかカタカナだけで入力してください（例: さとう ようこ）。")
    code = "reading"


class _PhoneField(_CheckedLikeTheProfile):
    """A phone number stored as the profile stores it (core.text.phone_number): half-width."""

    normalise = staticmethod(phone_number)
    accepts = staticmethod(is_phone_number)
    message = _("電話番号は、数字とハイフンで入力してください（例: 090-1234-5678）。")
    code = "phone"
    stored = ""  # a number saved before the rule that the rule refuses (keep_stored)

    def keep_stored(self, value: str) -> None:
        """Let a number stored before the rule (03-123-456) be sent back unchanged: the record
        saves with it, and the field says it should be put right. Only a number changed into
        one the rule refuses is an error, so nobody is stopped from saving their other changes
        by a number they did not touch."""
        if value and not self.accepts(value):
            self.stored = value
            self.help_text = _(
                "登録されている電話番号は、今の書き方（数字とハイフンで10〜11桁）に合っていません。"
                "このままでも保存できますが、正しい番号に直してください（例: 090-1234-5678）。"
            )

    def to_python(self, value):
        value = super().to_python(value)
        return self.stored if self.stored and value == self.normalise(self.stored) else value

    def validate(self, value):
        if not self.stored or value != self.stored:
            super().validate(value)


def kana_field() -> forms.CharField:
    """ふりがな of a person staff write down, optional; checked and stored like the profile's."""
    return _ReadingField(
        label=_("ふりがな"), max_length=100, required=False, help_text=_("例: さとう ようこ")
    )


def phone_field(*, autocomplete: str = "off") -> forms.CharField:
    """A phone number, optional; checked and stored (half-width, hyphens) like the profile's.
    By default someone else's, typed by staff: the browser must not offer the staff's own;
    autocomplete="tel" where people may well type their own (a group's contact number)."""
    return _PhoneField(
        label=_("電話番号"),
        max_length=20,
        required=False,
        help_text=_("例: 000-123-4567"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete}),
    )


def department_choice(label, **kwargs) -> forms.ModelChoiceField:
    """One of the active departments (担当課), or none."""
    return forms.ModelChoiceField(
        label=label, queryset=Department.objects.filter(is_active=True), required=False, **kwargs
    )


def offered_with_linked(offered_ids: Iterable[int], instance, relation: str) -> list[int]:
    """The ids a many-to-many choice offers: `offered_ids` (this year's, the upcoming ones) and
    those the instance already links through `relation` (none before it is saved). The linked
    ones stay selectable outside the window, or the form saved again would refuse them."""
    linked = getattr(instance, relation).values_list("pk", flat=True) if instance.pk else []
    return [*offered_ids, *linked]


class YenField(forms.IntegerField):
    """An amount of yen as people write it in an announcement or a budget: 「１０万円」「30万」
    「1,000,000円」「1億円」 (full-width or not, with 万・億, 円 and commas), whole yen from 0 to
    `max_value`. The screen gives its own words for the upper bound (error_messages["max_value"])."""

    UNITS = {"万": 10_000, "億": 100_000_000}  # data, not UI text
    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("金額は数字で入力してください（例: 300000、30万円）。"),
        "not_whole": _("金額は1円単位で入力してください。"),
        "min_value": _("金額は0円以上で入力してください。"),
    }

    def __init__(self, *, max_value: int, **kwargs):
        kwargs.pop("min_value", None)  # a model's PositiveIntegerField offers 0: the same bound
        super().__init__(min_value=0, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = unicodedata.normalize("NFKC", str(value))
        text = re.sub(r"[\s,、]", "", text).removesuffix("円")  # data, not UI text
        match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(万|億)?", text)  # data, not UI text
        if match is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        amount = Decimal(match[1]) * self.UNITS.get(match[2], 1)
        if amount != amount.to_integral_value():
            raise ValidationError(self.error_messages["not_whole"], code="not_whole")
        return int(amount)
