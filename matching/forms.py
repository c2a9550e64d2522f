"""Forms of the matching pages. One column; the field template marks 必須 / 任意."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.form_fields import area_checkboxes, phone_field, theme_checkboxes
from core.form_helpers import text_area
from events.models import Program
from matching.models import Business, ExchangeKind, Match, MatchStatus, ProBonoDeliverable
from matching.selectors import origin_event_choices


class BusinessForm(forms.ModelForm):
    themes = theme_checkboxes(_("関心のあるテーマ"))
    areas = area_checkboxes(_("活動地域"))
    # The profile's rule (core.text.phone_number): ０００－１２３－４５６７ is stored as 000-123-4567.
    phone = phone_field(autocomplete="tel")

    class Meta:
        model = Business
        fields = [
            "name",
            "name_kana",
            "industry",
            "description",
            "themes",
            "areas",
            "website",
            "contact_name",
            "email",
            "phone",
        ]
        help_texts = {
            "name": _("例: みらいデザイン工房株式会社"),
            "name_kana": _("ひらがなで入力してください。例: みらいでざいんこうぼう"),
            "description": _(
                "例: 印刷物のデザインが本業です。地域の子育て団体のチラシづくりをお手伝いしたいです。"
            ),
            "website": _("例: https://example.jp/"),
            "contact_name": _("例: 山田 太郎"),
            "email": _("紹介のお知らせが届きます。例: info@example.jp"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].keep_stored(self.instance.phone)


class ItemForm(forms.Form):
    """A need or an offer. ``party`` is asked only when the person acts for several parties."""

    party = forms.ChoiceField(label=_("登録する団体・事業者・担当課"))
    title = forms.CharField(label=_("タイトル"), max_length=200)
    kind = forms.ChoiceField(label=_("種類"), choices=[("", _("選んでください")), *ExchangeKind.choices])
    deliverable = forms.ChoiceField(
        label=_("プロボノの成果物"),
        required=False,
        choices=[("", _("なし・プロボノ以外")), *ProBonoDeliverable.choices],
        help_text=_("種類が「プロボノ」のときだけ選びます。例: チラシ制作"),
    )
    description = text_area(_("内容"), rows=5, required=False)
    themes = theme_checkboxes(_("テーマ"))
    areas = area_checkboxes(_("地域"))

    def __init__(self, *args, party_choices=None, title_help="", **kwargs):
        super().__init__(*args, **kwargs)
        if title_help:
            self.fields["title"].help_text = title_help
        if party_choices is None:
            del self.fields["party"]
        else:
            self.fields["party"].choices = party_choices
            if len(party_choices) == 1:
                self.fields["party"].widget = forms.HiddenInput()
                self.fields["party"].initial = party_choices[0][0]

    def clean(self):
        data = super().clean()
        if data.get("deliverable") and data.get("kind") and data["kind"] != ExchangeKind.PRO_BONO:
            self.add_error("deliverable", _("成果物は、種類が「プロボノ」のときだけ選べます。"))
        return data


class EventChoiceField(forms.ModelChoiceField):
    """An event named by the date of its first session and its title: a program holds the same
    event again and again (協働カフェ three times), and staff must tell which one it was."""

    def label_from_instance(self, event) -> str:
        if event.first_starts_at is None:
            return _("%(title)s（日程未定）") % {"title": event.title}
        day = date_format(timezone.localtime(event.first_starts_at).date(), _("Y年n月j日"))
        return _("%(date)s %(title)s") % {"date": day, "title": event.title}


class IntroductionForm(forms.Form):
    note = text_area(
        _("紹介のひとこと"),
        rows=4,
        help_text=_("両者へのメールに入ります。例: チラシ制作の件で、ぜひ一度お話しください。"),
    )
    program = forms.ModelChoiceField(
        label=_("事業"),
        queryset=Program.objects.filter(is_active=True),
        required=False,
        help_text=_("どの事業の成果として数えるか。例: 交流会"),
        empty_label=_("なし"),
    )
    origin_event = EventChoiceField(
        label=_("きっかけの催し"),
        queryset=origin_event_choices(),
        required=False,
        empty_label=_("なし"),
        help_text=_("新しい順。日付は初回の開催日です。"),
    )
    origin_consultation = forms.IntegerField(
        label=_("きっかけの相談記録の番号"),
        required=False,
        min_value=1,
        help_text=_("相談から紹介につないだときに入力します。例: 1234"),
    )
    need = forms.IntegerField(required=False, widget=forms.HiddenInput)
    offer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_origin_consultation(self):
        # The model's own foreign key names the consultation model: matching imports no
        # consultations code (consultations link to matches, not the reverse).
        Consultation = Match._meta.get_field("origin_consultation").related_model

        number = self.cleaned_data.get("origin_consultation")
        if not number:
            return None
        consultation = Consultation.objects.filter(pk=number).first()
        if consultation is None:
            raise forms.ValidationError(_("番号 %(number)s の相談記録はありません。") % {"number": number})
        return consultation


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("次の状態"))
    note = text_area(_("メモ"), rows=2, required=False)

    def __init__(self, *args, match, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = match.allowed_transition_choices()


STATUS_ORDER = list(MatchStatus.values)
