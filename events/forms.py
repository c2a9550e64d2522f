"""Input for the event screens. Labels and messages in Japanese; one column."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.form_fields import kana_field, phone_field
from core.form_helpers import text_area
from core.forms import OneOfRequired, RequirementsMixin
from core.models import Person
from events.models import EventSession, Registration, SurveyResponse


class RegistrationForm(forms.Form):
    needs = text_area(
        _("必要な配慮"),
        rows=3,
        required=False,
        max_length=1000,
        help_text=_("例: 車いすで参加します。託児を希望します（3歳1人）。手話通訳を希望します。"),
    )


def staff_channel_field(**kwargs) -> forms.ChoiceField:
    """How a registration taken by staff came in: a phone call (the usual case) or the counter."""
    return forms.ChoiceField(
        label=_("申込方法"),
        choices=[(Registration.Channel.PHONE, _("電話")), (Registration.Channel.COUNTER, _("窓口"))],
        initial=Registration.Channel.PHONE,
        error_messages={"invalid_choice": _("申込方法は「電話」か「窓口」から選んでください。")},
        **kwargs,
    )


class GuestRegistrationForm(RequirementsMixin, forms.Form):
    """Staff register someone who phoned or came to the counter."""

    # The one rule for both the check and the marks next to the two labels.
    requirements = (
        OneOfRequired(
            ("phone", "email"),
            mark=_("電話番号かメールアドレスのどちらかは必須"),
            message=_("連絡のため、電話番号かメールアドレスのどちらかを入力してください。"),
        ),
    )

    name = forms.CharField(label=_("氏名"), max_length=100, help_text=_("例: 佐藤 陽子"))
    name_kana = kana_field()
    phone = phone_field()
    email = forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        help_text=_("あればお知らせをメールで送ります。例: sato@example.jp"),
    )
    channel = staff_channel_field(widget=forms.RadioSelect)
    needs = RegistrationForm.base_fields["needs"]


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("登録済みの方を探す"),
        required=False,
        max_length=100,
        help_text=_("氏名・ふりがな・電話番号・メールアドレスの一部。例: さとう"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class PickPersonForm(forms.Form):
    """A known person picked from the search on the phone registration page. A merged record (a
    page left open across a merge) stands for the record it was merged into
    (services.registration_create resolves it)."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("申し込む方を選んでください。"),
            "invalid_choice": _("選んだ方の記録が見つかりません。もう一度探してください。"),
        },
    )
    # Left out by a page opened before the choice was offered: the usual case, a phone call.
    channel = staff_channel_field(required=False)

    def clean_channel(self) -> str:
        return self.cleaned_data["channel"] or Registration.Channel.PHONE


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


class EventSessionAdminForm(forms.ModelForm):
    """One session in the event's admin page. A session whose venue names a room of the center
    takes the room (the spaces app blocks it); when the room is already booked at that time the
    form says by whom and when, and staff pick another room or time, or take the time back from
    the booking (cancelled, its group told why by e-mail)."""

    release_bookings = forms.BooleanField(
        label=_("重なる予約を取り消す"),
        required=False,
        help_text=_("この回の部屋と時間に入っている予約を取り消し、予約した団体に理由をメールで知らせます。"),
    )

    move_bookings = forms.BooleanField(
        label=_("重なる予約を移す"),
        required=False,
        help_text=_(
            "保存すると、この回と重なる予約の一覧が開きます。予約ごとに空いている部屋・時間へ移すか、"
            "空きがなければ取り消します（団体にはメールで知らせます）。"
        ),
    )

    class Meta:
        model = EventSession
        fields = ["starts_at", "ends_at", "title", "venue"]

    def clean(self):
        from events.services import session_room_conflicts, session_room_release_reason

        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        event = cleaned.get("event") or self.instance.event
        if self.errors or not (starts_at and ends_at) or ends_at <= starts_at or event is None:
            return cleaned
        venue = cleaned.get("venue") or event.venue
        if not self._moves(event):
            return cleaned
        conflicts = session_room_conflicts(
            venue=venue, starts_at=starts_at, ends_at=ends_at, session_pk=self.instance.pk
        )
        if not conflicts:
            return cleaned
        fixed = [c for c in conflicts if c.release is None]
        if cleaned.get("release_bookings") and not fixed:
            reason = session_room_release_reason(event=event, starts_at=starts_at, ends_at=ends_at)
            # Released when the event is saved (EventAdmin.save_model), not while validating.
            pending = getattr(event, "_room_releases", [])
            event._room_releases = [*pending, *((c, reason) for c in conflicts)]
            return cleaned
        if cleaned.get("move_bookings") and not fixed:
            # Saved without its room; the admin then opens the page where staff move each booking
            # (EventAdmin.response_change), and the session takes the room once it is free.
            self.moves_url = next(c.moves_url for c in conflicts if c.moves_url is not None)
            return cleaned
        messages = [c.message for c in conflicts]
        if fixed:
            messages.append(_("別の部屋（会場）か時間を選んでください。"))
        else:
            messages.append(
                _(
                    "別の部屋（会場）か時間を選んでください。この回を優先するときは、「重なる予約を移す」に"
                    "チェックして保存すると予約ごとに空いている部屋・時間へ移せます。「重なる予約を取り消す」に"
                    "チェックして保存すると、予約を取り消して団体にメールで知らせます。"
                )
            )
        raise forms.ValidationError(messages)

    def _moves(self, event) -> bool:
        """A new session, a changed one, or one whose event changed its venue: the room is taken now."""
        if self.instance.pk is None or self.has_changed():
            return True
        if event.pk is None:
            return True
        stored = type(event).objects.filter(pk=event.pk).values_list("venue", flat=True).first()
        return stored != event.venue


class PeopleSearchForm(forms.Form):
    """The staff's search for one person's page (the form of events.filters.PeopleFilter)."""

    requirement_marks = False  # a search: no 必須/任意 (core/forms.py)

    def clean_q(self) -> str:
        from core.text import search_key

        value = (self.cleaned_data.get("q") or "").strip()
        if value and not search_key(value):
            raise forms.ValidationError(_("文字か数字を入力してください（記号だけでは探せません）。"))
        return value
