"""Input for the event screens. Labels and messages in Japanese; one column."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Registration, SurveyResponse


class RegistrationForm(forms.Form):
    needs = forms.CharField(
        label=_("必要な配慮"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例: 車いすで参加します。託児を希望します（3歳1人）。手話通訳を希望します。"),
    )


class GuestRegistrationForm(forms.Form):
    """Staff register someone who phoned or came to the counter."""

    name = forms.CharField(label=_("氏名"), max_length=100, help_text=_("例: 佐藤 陽子"))
    name_kana = forms.CharField(
        label=_("ふりがな"), max_length=100, required=False, help_text=_("例: さとう ようこ")
    )
    phone = forms.CharField(
        label=_("電話番号"),
        max_length=20,
        required=False,
        help_text=_("例: 000-123-4567"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        help_text=_("あればお知らせをメールで送ります。例: sato@example.jp"),
    )
    channel = forms.ChoiceField(
        label=_("申込方法"),
        choices=[(Registration.Channel.PHONE, _("電話")), (Registration.Channel.COUNTER, _("窓口"))],
        initial=Registration.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    needs = RegistrationForm.base_fields["needs"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email"):
            raise forms.ValidationError(
                _("連絡のため、電話番号かメールアドレスのどちらかを入力してください。")
            )
        return cleaned


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("登録済みの方を探す"),
        required=False,
        max_length=100,
        help_text=_("氏名・ふりがな・電話番号・メールアドレスの一部。例: さとう"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


SATISFACTION_CHOICES = [
    (5, _("5　とても満足")),
    (4, _("4　満足")),
    (3, _("3　ふつう")),
    (2, _("2　やや不満")),
    (1, _("1　不満")),
]


class SurveyForm(forms.ModelForm):
    satisfaction = forms.TypedChoiceField(
        label=_("満足度"), choices=SATISFACTION_CHOICES, coerce=int, widget=forms.RadioSelect
    )

    class Meta:
        model = SurveyResponse
        fields = ["satisfaction", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"comment": _("例: 同じ地区の人と知り合えてよかった。次は土曜日の開催を希望します。")}


class MergeForm(forms.Form):
    keep = forms.IntegerField(widget=forms.HiddenInput)
    duplicate = forms.IntegerField(widget=forms.HiddenInput)
