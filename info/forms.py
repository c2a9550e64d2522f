"""Input of the info app's screens: a grant, a saved search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.form_fields import DateField, YenField, area_checkboxes, offered_with_linked, theme_checkboxes
from core.form_helpers import text_area
from core.models import Department
from core.permissions import may
from core.uploads import held_upload, hold_upload, release_held_upload
from core.validators import end_not_before_start
from groups.models import LegalForm
from info.flyers import validate_flyer
from info.models import GRANT_AMOUNT_MAX, Frequency, Grant, NewsletterIssue, SavedSearch, SearchKind


def grant_amount(label, help_text) -> YenField:
    """An amount of a grant: up to 10億円 (GRANT_AMOUNT_MAX)."""
    return YenField(
        label=label,
        required=False,
        help_text=help_text,
        max_value=GRANT_AMOUNT_MAX,
        error_messages={"max_value": _("金額は10億円以下で入力してください。")},
    )


class GrantForm(forms.ModelForm):
    amount_min = grant_amount(_("金額（下限・円）"), _("例: 100000、10万円。なければ空欄。"))
    amount_max = grant_amount(_("金額（上限・円）"), _("例: 500000、50万円。上限がなければ空欄。"))
    legal_forms = forms.MultipleChoiceField(
        label=_("応募できる法人格"),
        choices=LegalForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("どれも選ばなければ、法人格を問いません。"),
    )
    themes = theme_checkboxes(_("対象分野"), help_text=_("どれも選ばなければ、分野を問いません。"))
    areas = area_checkboxes(_("対象地区"), help_text=_("どれも選ばなければ、市内全域です。"))

    class Meta:
        model = Grant
        fields = [
            "provider",
            "title",
            "summary",
            "amount_min",
            "amount_max",
            "legal_forms",
            "areas",
            "min_years_active",
            "themes",
            "opens_on",
            "closes_on",
            "how_to_apply",
            "url",
            "department",
            "is_published",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["legal_forms"] = self.instance.legal_form_list
        if not may(user, "info.manage_every_grant"):
            # An official posts for one of their own departments.
            departments = Department.objects.filter(officials=user)
            self.fields["department"].queryset = departments
            self.fields["department"].required = True
            self.fields["department"].empty_label = None

    def clean(self):
        # The model's order rules, said next to the later field rather than above the form.
        data = super().clean()
        messages = {c.name: c.violation_error_message for c in Grant._meta.constraints}
        end_not_before_start(self, data, "amount_min", "amount_max", messages["grant_amount_order"])
        return end_not_before_start(self, data, "opens_on", "closes_on", messages["grant_period_order"])

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["themes"] = list(data["themes"])
        data["areas"] = list(data["areas"])
        return data


class SavedSearchCreateForm(forms.Form):
    # Hidden, but named: an error about them is listed at the top of the form by their label.
    kind = forms.ChoiceField(label=_("一覧"), choices=SearchKind.choices, widget=forms.HiddenInput)
    query = forms.CharField(label=_("条件"), required=False, max_length=1000, widget=forms.HiddenInput)
    name = forms.CharField(label=_("名前"), max_length=100, help_text=_("例: 子育ての団体"))
    frequency = forms.ChoiceField(
        label=_("お知らせの頻度"),
        choices=Frequency.choices,
        initial=Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )


class SavedSearchForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name", "frequency", "is_active"]
        widgets = {"frequency": forms.RadioSelect}


class FlyerForm(forms.Form):
    """The flyer and its text. After an error elsewhere the chosen file is kept (core.uploads
    hold_upload): the page says 「選択済み: natsu.pdf」 and the form sends it again by its token
    (FILE_TOKEN, a hidden field), unless another file is chosen."""

    FILE_TOKEN = "file_token"

    title = forms.CharField(
        label=_("チラシの題名"), max_length=200, help_text=_("例: 夏休み子ども食堂のお知らせ")
    )
    file = forms.FileField(
        label=_("ファイル"), help_text=_("PDF・PNG・JPEG。PDF は1ページ目が見本として表示されます。")
    )
    alt_text = text_area(
        _("チラシの内容（画像の代わりの文章）"),
        rows=5,
        max_length=1000,
        help_text=_(
            "目の見えない方や画像が表示されない方のために、日時・場所・内容・連絡先など、チラシに書いてあることを文章で書いてください。"
        ),
    )
    display_from = DateField(label=_("掲示の開始日"))
    display_until = DateField(
        label=_("掲示の終了日"), help_text=_("この日を過ぎると、チラシは自動で外れます。")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.file_token = self.data.get(self.FILE_TOKEN, "") if self.is_bound else ""
        if self.file_token:
            held = held_upload(self.file_token, user=user)
            if held is None:
                self.file_token = ""
                self.fields["file"].error_messages["required"] = _(
                    "選んでいたファイルの保存期間が過ぎました。お手数ですが、もう一度選んでください。"
                )
            else:
                # FileField.clean takes the initial file when none is chosen: the kept one.
                self.initial["file"] = held

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is not self.initial.get("file"):
            validate_flyer(upload)  # a file that cannot be a flyer is never kept
            self.file_token = ""  # a newly chosen file replaces the kept one
        return upload

    def clean(self):
        return end_not_before_start(
            self,
            super().clean(),
            "display_from",
            "display_until",
            _("掲示の終了日は開始日より後にしてください。"),
        )

    def keep_file(self) -> None:
        """After an error: the chosen file (if it passed its checks) waits for the next try, and
        the field says which one is chosen."""
        upload = None if self.has_error("file") else self.cleaned_data.get("file")
        if upload is None:
            self.file_token = ""
            return
        if not self.file_token:
            self.file_token = hold_upload(upload, user=self.user)
        # The bound field, made while cleaning, has copied the field's help text already.
        self["file"].help_text = _(
            "選択済み: %(name)s（このまま送れます。別のファイルにするときだけ選び直してください）"
        ) % {"name": upload.name}

    def release_file(self) -> None:
        """After saving: the kept file is no longer needed (the flyer has its own copy)."""
        release_held_upload(self.file_token, user=self.user)


class FlyerReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("掲示する")), ("reject", _("掲示しない"))])
    review_note = text_area(_("団体への連絡"), rows=2, required=False)


class SubscribeForm(forms.Form):
    # As long as the column (254): a longer address passed the form and failed the INSERT on
    # PostgreSQL (SQLite stores any length).
    email = forms.EmailField(label=_("メールアドレス"), max_length=254, help_text=_("例: hanako@example.jp"))
    agree = forms.BooleanField(
        label=_("上の「メールアドレスの利用目的」に同意します"),
        error_messages={"required": _("利用目的に同意いただけない場合は、お申し込みいただけません。")},
    )


class IssueForm(forms.ModelForm):
    events = forms.ModelMultipleChoiceField(
        label=_("紹介する催し"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("これから開かれる公開の催しから選びます。"),
    )

    class Meta:
        model = NewsletterIssue
        fields = [
            "number",
            "title",
            "message",
            "events",
            "include_new_groups",
            "include_grants",
            "story_title",
            "story_body",
        ]
        widgets = {
            "message": forms.Textarea(attrs={"rows": 6}),
            "story_body": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from events.selectors import upcoming_public_events

        upcoming = [event.pk for event in upcoming_public_events(limit=30)]
        from events.models import Event

        event_ids = offered_with_linked(upcoming, self.instance, "events")
        self.fields["events"].queryset = Event.objects.filter(pk__in=event_ids).order_by("pk")
