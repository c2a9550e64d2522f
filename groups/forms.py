"""Input for the group registry's screens. Japanese messages next to each field."""

from __future__ import annotations

import re
import unicodedata

import jaconv
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.jp.forms import JPPostalCodeField

from core.form_fields import area_checkboxes, phone_field, theme_checkboxes
from core.form_helpers import text_area
from core.forms import OneOfRequired, RequiredWhen, RequirementsMixin
from groups.models import CORPORATE_LEGAL_FORMS, Group, GroupAction
from groups.validators import (
    FOUNDED_YEAR_MIN,
    MEMBER_COUNT_MAX,
    clean_sns_lines,
    normalize_digits,
    normalize_postal_code,
    validate_corporate_number,
)

# Allowed in a reading: hiragana, the long vowel mark, spaces, latin letters, digits, ・ and &.
_READING = re.compile(r"^[\u3041-\u3096ー\s a-zA-Z0-9・&'\-]+$")


class PostalCodeField(JPPostalCodeField):
    """localflavor's JP postal code check, accepting full-width digits and 〒; stored as 100-0001."""

    default_error_messages = {"invalid": _("郵便番号は7桁の数字で入力してください（例: 100-0001）。")}

    def to_python(self, value):
        return normalize_postal_code(super().to_python(value))

    def clean(self, value):
        digits = super().clean(value)
        return f"{digits[:3]}-{digits[3:]}" if digits else ""


class CorporateNumberField(forms.CharField):
    def to_python(self, value):
        return normalize_digits(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value:
            validate_corporate_number(value)


GROUP_FIELDS = [
    "name",
    "name_kana",
    "legal_form",
    "corporate_number",
    "themes",
    "areas",
    "purpose",
    "activities",
    "founded_year",
    "member_count",
    "representative_name",
    "representative_name_public",
    "contact_name",
    "contact_name_public",
    "email",
    "email_public",
    "phone",
    "phone_public",
    "postal_code",
    "address",
    "address_public",
    "website",
    "sns",
]
CONTACT_FIELDS = GROUP_FIELDS[10:21]


class GroupForm(RequirementsMixin, forms.ModelForm):
    """団体登録申請・編集. With draft=True only the name is required (下書き保存); the marks still
    say what submitting needs."""

    requirements = (
        RequiredWhen(
            "corporate_number",
            when=lambda data: data.get("legal_form") in CORPORATE_LEGAL_FORMS,
            mark=_("法人の場合は必須"),
            message=_("法人の場合は法人番号（13桁）を入力してください。"),
        ),
        OneOfRequired(
            ("email", "phone"),
            mark=_("メールアドレスか電話番号のどちらかは必須"),
            message=_("センターから連絡できるよう、メールアドレスか電話番号を入力してください。"),
        ),
    )

    corporate_number = CorporateNumberField(
        label=_("法人番号"),
        required=False,
        max_length=20,
        help_text=_(
            "NPO法人・一般社団法人・社会福祉法人・企業は必須。13桁の数字（例: 7000012050002）。"
            "国税庁の法人番号公表サイトで確認できます。"
        ),
    )
    postal_code = PostalCodeField(label=_("郵便番号"), required=False, help_text=_("例: 100-0001"))
    # The profile's rule (core.text.phone_number): 03(1234)5678 is stored as 03-1234-5678.
    phone = phone_field(autocomplete="tel")
    themes = theme_checkboxes(
        _("活動分野"),
        required=True,
        help_text=_("当てはまるものをすべて選んでください。"),
        error_messages={"required": _("活動分野を1つ以上選んでください。")},
    )
    areas = area_checkboxes(
        _("活動地域"), help_text=_("主に活動している地区を選んでください（市内全域の場合はすべて）。")
    )

    class Meta:
        model = Group
        fields = GROUP_FIELDS
        help_texts = {
            "name": _("例: みらい子ども食堂ネットワーク"),
            "name_kana": _(
                "ひらがなで入力してください。あいうえお順の並べ替えに使います"
                "（例: みらいこどもしょくどうねっとわーく）。"
            ),
            "purpose": _("例: 地域の子どもたちが安心して過ごせる居場所をつくる。"),
            "activities": _("例: 毎月第2・第4土曜日に本町地区センターで子ども食堂を開いています。"),
            "founded_year": _("西暦で入力してください（例: 2015）。"),
            "member_count": _("おおよその人数で構いません（例: 25）。"),
            "email": _(
                "センターからの連絡先です。公開しない場合も、ページのお問い合わせフォームからのメールはここに届きます。"
            ),
            "address": _("例: みらい市本町1-2-3 市民活動プラザ内"),
            "website": _("例: https://example.jp/"),
            "sns": _("1行に1つ、URLを入力してください（例: https://www.instagram.com/example/）。"),
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "activities": forms.Textarea(attrs={"rows": 6}),
            "sns": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "founded_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "member_count": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, draft: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.fields["name_kana"].label = _("団体名のふりがな")
        self.fields["name"].error_messages["required"] = _("団体名を入力してください。")
        self.fields["name_kana"].error_messages["required"] = _("団体名のふりがなを入力してください。")
        self.fields["legal_form"].error_messages["required"] = _("法人格・団体の種類を選んでください。")
        legal_forms = list(self.fields["legal_form"].choices)[1:]
        self.fields["legal_form"].choices = [("", _("選んでください")), *legal_forms]
        # The bounds themselves are the model's validators (groups.validators), run by the
        # form, the services and the CSV import alike; the widget only tells the browser.
        self.fields["founded_year"].widget.attrs.update(min=FOUNDED_YEAR_MIN, max=timezone.localdate().year)
        self.fields["member_count"].widget.attrs.update(min=0, max=MEMBER_COUNT_MAX)
        self.fields["phone"].keep_stored(self.instance.phone)
        if draft:
            self.relax_for_draft(keep=("name",))

    @property
    def basic_fields(self):
        return [self[name] for name in GROUP_FIELDS[:10]]

    @property
    def contact_fields(self):
        return [self[name] for name in CONTACT_FIELDS]

    @property
    def web_fields(self):
        return [self[name] for name in GROUP_FIELDS[21:]]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_name_kana(self) -> str:
        value = unicodedata.normalize("NFKC", self.cleaned_data.get("name_kana") or "").strip()
        value = jaconv.kata2hira(value)
        if value and not _READING.match(value):
            raise forms.ValidationError(
                _("ふりがなは、ひらがなで入力してください（例: みらいこどもしょくどう）。")
            )
        return value

    def clean_sns(self) -> str:
        return clean_sns_lines(self.cleaned_data.get("sns") or "")

    def group_fields(self) -> dict:
        """The model fields for the service (themes and areas are passed separately)."""
        return {
            name: self.cleaned_data[name] if self.cleaned_data.get(name) is not None else _empty(name)
            for name in GROUP_FIELDS
            if name not in ("themes", "areas")
        }


def _empty(name: str):
    field = Group._meta.get_field(name)
    return None if field.null else ("" if not isinstance(field.default, bool) else field.default)


class ReasonForm(forms.Form):
    reason = text_area(_("理由"), rows=4, required=False)

    def __init__(self, *args, required: bool = False, label=None, help_text=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text


class ReviewForm(RequirementsMixin, forms.Form):
    """Staff's decision on an application: 承認する, or 差し戻す with the reason the applicant is
    sent. One form for both buttons, so the reason is marked, checked and explained the same way
    before and after a failed try."""

    requirements = (
        RequiredWhen(
            "reason",
            when=lambda data: data.get("decision") == GroupAction.RETURN,
            mark=_("差し戻すときは必須"),
            message=_("差し戻す理由を入力してください。申請者にそのままメールで伝わります。"),
        ),
    )

    decision = forms.ChoiceField(
        choices=[
            (GroupAction.APPROVE, GroupAction.APPROVE.label),
            (GroupAction.RETURN, GroupAction.RETURN.label),
        ],
        widget=forms.HiddenInput,
        error_messages={"required": _("承認するか差し戻すかを選んでください。")},
    )
    reason = text_area(
        _("差し戻す理由"),
        rows=4,
        required=False,
        help_text=_("申請者にそのままメールで伝わります。直してほしい点を具体的に書いてください。"),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("招待する方のメールアドレス"),
        help_text=_("例: tanaka@example.jp　招待のリンクをメールでお送りします。"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ContactForm(forms.Form):
    """A visitor's message to a group. `homepage` is a honeypot: people never see it, bots fill it."""

    name = forms.CharField(label=_("お名前"), max_length=100, help_text=_("例: 協働 太郎"))
    email = forms.EmailField(
        label=_("返信先のメールアドレス"),
        help_text=_("団体からの返信はこのアドレスに届きます（例: taro@example.jp）。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    body = text_area(
        _("お問い合わせ内容"),
        rows=6,
        max_length=2000,
        help_text=_("2,000文字まで。例: 活動に参加してみたいので、見学できる日を教えてください。"),
    )
    homepage = forms.CharField(
        label=_("この欄は空のままにしてください"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSVファイル"),
        help_text=_("Excelで保存したCSV（UTF-8またはShift_JIS）を選んでください。1行目は見出し行です。"),
        # Excel saves tab-separated text (also read) as .txt.
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.tsv,.txt,text/csv,text/tab-separated-values"}
        ),
    )
    clear_empty = forms.BooleanField(
        label=_("空欄のセルで、登録済みの内容を消す"),
        required=False,
        help_text=_("チェックしないときは、空欄のセルも、CSVにない列も、今の内容のまま残します。"),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（5MBまで）。"))
        return upload
