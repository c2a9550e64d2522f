"""A person's own profile: the name and reading asked at sign-up (ACCOUNT_SIGNUP_FORM_CLASS; this
module must not import allauth's forms, which import it), and the profile page of マイページ."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.form_fields import phone_field
from core.models import User
from core.text import is_person_reading, person_name, person_reading

NAME_HELP = _("例: 山田 花子。名簿・修了証・メールのあて名に使います。")
READING_HELP = _("ひらがなかカタカナで入力してください。例: やまだ はなこ")


class NameFields(forms.Form):
    """氏名 and ふりがな, checked the same way at sign-up and on the profile page."""

    full_name = forms.CharField(
        label=_("氏名"),
        max_length=100,
        help_text=NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("氏名を入力してください。")},
    )
    full_name_kana = forms.CharField(
        label=_("ふりがな"),
        max_length=100,
        help_text=READING_HELP,
        error_messages={"required": _("ふりがなを入力してください。")},
    )

    def clean_full_name(self) -> str:
        value = person_name(self.cleaned_data.get("full_name"))
        if not value:
            raise forms.ValidationError(_("氏名を入力してください。"))
        return value

    def clean_full_name_kana(self) -> str:
        value = person_reading(self.cleaned_data.get("full_name_kana"))
        if not is_person_reading(value):
            raise forms.ValidationError(
                _("ふりがなは、ひらがなかカタカナだけで入力してください（例: やまだ はなこ）。")
            )
        return value


class SignupForm(NameFields):
    """allauth's sign-up form is built on this one (ACCOUNT_SIGNUP_FORM_CLASS): the name first,
    then the e-mail address and password."""

    field_order = ["full_name", "full_name_kana", "email", "password1", "password2"]

    def signup(self, request, user: User) -> None:
        from core.services import user_profile_update

        user_profile_update(
            user=user,
            full_name=self.cleaned_data["full_name"],
            full_name_kana=self.cleaned_data["full_name_kana"],
        )


class ProfileForm(NameFields, forms.ModelForm):
    """マイページ → プロフィール: name, reading, phone and which optional notices to receive."""

    phone = phone_field(autocomplete="tel")

    class Meta:
        model = User
        fields = ["full_name", "full_name_kana", "phone", "notify_event_reminders", "notify_event_surveys"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _("センターからご連絡するときに使います。例: 090-1234-5678")
        # A number saved before today's rule does not stop the person saving the rest.
        self.fields["phone"].keep_stored(self.instance.phone)
