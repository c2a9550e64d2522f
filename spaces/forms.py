"""Input for the spaces screens. Labels and messages in Japanese; one column."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.form_fields import DateField
from core.validators import plausible_year
from groups.models import Group
from spaces.models import Booking, Resource
from spaces.services import MAX_REPEAT_WEEKS


def machine_label(machine) -> str:
    """印刷機（10円／枚、1回50円）: the price of a machine as its choice in a form."""
    price = gettext("%(price)s円／%(unit)s") % {
        "price": machine.unit_price,
        "unit": machine.unit or gettext("回"),
    }
    if machine.use_price:
        price += gettext("、1回%(price)s円") % {"price": machine.use_price}
    return gettext("%(name)s（%(price)s）") % {"name": machine.name, "price": price}


class GroupField(forms.ModelChoiceField):
    """The group to book for. Given as a list (an editor's few groups, which the view reads once
    anyway), the chosen group is found among them: no query to look it up again."""

    known: dict[str, Group] | None = None

    def offer(self, groups) -> None:
        if isinstance(groups, list):
            self.known = {str(group.pk): group for group in groups}
            self.choices = [(group.pk, self.label_from_instance(group)) for group in groups]
        else:
            self.queryset = groups

    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.known[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


def _with_instants(form: forms.Form, cleaned: dict) -> dict:
    """The date, start and end as the aware starts_at and ends_at (Japan time), or an error on
    the end when it is not after the start. Shared by the booking and the block forms."""
    day, start, end = cleaned.get("date"), cleaned.get("start"), cleaned.get("end")
    if day and start and end:
        if end <= start:
            form.add_error("end", _("終了時刻は開始時刻より後にしてください。"))
        else:
            cleaned["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start))
            cleaned["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end))
    return cleaned


class BookingForm(forms.Form):
    """A booking by a group's editor: the group, date and time, purpose, people, and a repeat."""

    group = GroupField(label=_("予約する団体"), queryset=Group.objects.none(), empty_label=None)
    date = DateField(label=_("利用日"), help_text=_("例: 2027-01-12"))
    start = forms.TimeField(
        label=_("開始時刻"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
        help_text=_("例: 18:00"),
    )
    end = forms.TimeField(
        label=_("終了時刻"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
        help_text=_("例: 21:00"),
    )
    purpose = forms.CharField(label=_("利用目的"), max_length=200, help_text=_("例: 定例会の打合せ"))
    people = forms.IntegerField(label=_("人数"), min_value=1, max_value=500, help_text=_("例: 8"))
    weeks = forms.IntegerField(
        label=_("毎週同じ曜日・時間に繰り返す（週の数）"),
        min_value=1,
        max_value=MAX_REPEAT_WEEKS,
        initial=1,
        help_text=_("1 なら繰り返しなし。例: 毎週火曜を2か月なら 8（最大%(max)s）")
        % {"max": MAX_REPEAT_WEEKS},
    )
    all_or_nothing = forms.TypedChoiceField(
        label=_("予約できない日があったとき"),
        choices=[("0", _("予約できる日だけ予約する")), ("1", _("1日でも予約できなければ、すべて予約しない"))],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, groups=None, room: Resource | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.room = room
        if groups is None:
            del self.fields["group"]
        else:
            self.fields["group"].offer(groups)
        if room is not None and room.capacity:
            self.fields["people"].help_text = _("定員%(n)s人まで。例: 8") % {"n": room.capacity}

    def clean(self):
        return _with_instants(self, super().clean())


class CounterBookingForm(BookingForm):
    """Staff take a booking by phone or at the counter, for any registered group; or block time."""

    channel = forms.ChoiceField(
        label=_("受付方法"),
        choices=[(Booking.Channel.PHONE, _("電話")), (Booking.Channel.COUNTER, _("窓口"))],
        initial=Booking.Channel.PHONE,
        widget=forms.RadioSelect,
    )

    field_order = ["group", "channel", "date", "start", "end", "purpose", "people", "weeks", "all_or_nothing"]


class BlockForm(forms.Form):
    """Time the center keeps for itself (its own events, maintenance)."""

    date = BookingForm.base_fields["date"]
    start = BookingForm.base_fields["start"]
    end = BookingForm.base_fields["end"]
    purpose = forms.CharField(
        label=_("内容"), max_length=200, help_text=_("例: 設備点検、センター主催の講座")
    )

    def clean(self):
        return _with_instants(self, super().clean())


class MachineUseForm(forms.Form):
    machine = forms.ModelChoiceField(label=_("機器"), queryset=Resource.objects.none(), empty_label=None)
    group = forms.ModelChoiceField(
        label=_("団体"),
        queryset=Group.objects.none(),
        help_text=_("登録団体から選びます"),
    )
    used_on = DateField(label=_("利用日"))
    count = forms.IntegerField(
        label=_("枚数・回数"), min_value=1, max_value=1_000_000, help_text=_("例: 500")
    )
    uses = forms.IntegerField(
        label=_("利用回数（製版など）"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("例: 原稿2種類なら 2"),
    )
    note = forms.CharField(label=_("備考"), max_length=200, required=False)

    def __init__(self, *args, machines, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["machine"].queryset = machines
        self.fields["machine"].label_from_instance = machine_label
        self.fields["group"].queryset = groups
        if not self.is_bound:
            self.fields["used_on"].initial = timezone.localdate()


class StatementForm(forms.Form):
    month = forms.RegexField(
        label=_("月"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.DateInput(attrs={"type": "month"}),
        error_messages={"invalid": _("月は 2027-01 の形で入力してください。")},
        help_text=_("例: 2027-01"),
    )

    def clean_month(self) -> str:
        month = self.cleaned_data["month"]
        plausible_year(int(month[:4]), what=_("月"))
        return month

    @property
    def year_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["month"].split("-")
        return int(year), int(month)
