"""Input for the consultation screens. Every form works without JavaScript."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.filters import staff_users
from consultations.models import Channel, Consultation, ConsultationStatus, Referral, ReferralResult, Topic
from consultations.selectors import party_resolve
from core.fiscal import current_fiscal_year, fiscal_year_choices
from core.form_fields import (
    DateField,
    department_choice,
    kana_field,
    phone_field,
    theme_checkboxes,
)
from core.form_helpers import text_area
from core.forms import OneOfRequired, RequiredWhen, RequirementsMixin
from core.text import SEARCH_REFUSE_INPUT


def _party_search_box(label, help_text) -> forms.CharField:
    """The box of a party search (selectors.party_search) that lists its results as you type."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=SEARCH_REFUSE_INPUT,  # as the middleware refuses a longer ?q= (core.text)
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class PartySearchForm(forms.Form):
    """The party search's own address (views.party_search): the keyword, bounded like the boxes
    that send it, and whom to look for. Anything else is an error, for the page and the fragment."""

    q = _party_search_box(_("名前・ふりがな"), "")
    mode = forms.ChoiceField(
        label=_("さがす相手"), required=False, choices=[("client", _("相談者")), ("referral", _("つなぎ先"))]
    )


def _no_client_chosen(data: dict) -> bool:
    return not (data.get("is_anonymous") or data.get("person") or data.get("group"))


class ConsultationForm(RequirementsMixin, forms.Form):
    """One screen for one consultation: defaults are today, the signed-in staff member and 来所."""

    # Who consulted: a group or person from the search, 匿名, or else a new person's name.
    requirements = (
        RequiredWhen(
            "new_person_name",
            when=_no_client_chosen,
            mark=_("候補から選ばず匿名でもない場合は必須"),
            message=_(
                "団体か相談者を候補から選ぶか、新しい相談者の氏名を入力するか、「匿名の相談」にしてください。"
            ),
        ),
        # A follow-up needs its date: without one the service would record no follow-up and
        # leave the consultation 完了, losing what staff wrote they would do.
        RequiredWhen(
            "follow_up_due_on",
            when=lambda data: bool((data.get("follow_up_description") or "").strip()),
            mark=_("やることを入れたときは必須"),
            message=_("フォローアップの期限を入れてください。"),
        ),
    )

    consulted_on = DateField(label=_("相談日"), help_text=_("例: 2026-04-01"))
    channel = forms.ChoiceField(label=_("相談方法"), choices=Channel.choices, widget=forms.RadioSelect)
    duration_minutes = forms.IntegerField(
        label=_("所要時間（分）"),
        min_value=1,
        max_value=24 * 60,
        help_text=_("例: 30"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "5"}),
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            _("所要時間は1分から1,440分（24時間）までの分数で入力してください（例: 30）。"),
        ),
    )
    staff = forms.ModelChoiceField(label=_("対応職員"), queryset=staff_users(), empty_label=None)
    # The client: chosen from search results (radio buttons named group / person), a new person, or 匿名.
    party_q = _party_search_box(
        _("団体・相談者をさがす"),
        _("名前かふりがなの一部を入力すると候補が出ます。例: こども食堂、さとう"),
    )
    # Labelled, as the error summary names the field of each error (never "Group" or "Person").
    group = forms.CharField(label=_("選んだ団体"), required=False)
    person = forms.CharField(label=_("選んだ相談者（個人）"), required=False)
    new_person_name = forms.CharField(
        label=_("新しい相談者の氏名"),
        max_length=100,
        required=False,
        help_text=_("候補にいない人のときだけ。例: 佐藤 陽子"),
    )
    new_person_kana = kana_field()
    new_person_phone = phone_field()
    is_anonymous = forms.BooleanField(label=_("匿名の相談（名前を記録しない）"), required=False)
    topics = forms.ModelMultipleChoiceField(
        label=_("相談の分野"),
        queryset=Topic.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("あてはまるものをすべて選んでください。"),
    )
    question = text_area(
        _("相談内容"), rows=4, help_text=_("例: 子ども食堂を始めたいが、場所と資金の当てがない。")
    )
    answer = text_area(
        _("対応内容"),
        rows=4,
        required=False,
        help_text=_("例: 市の助成金を案内し、社協の場所貸しを紹介した。"),
    )
    status = forms.ChoiceField(label=_("状況"), choices=ConsultationStatus.choices, widget=forms.RadioSelect)
    follow_up_due_on = DateField(
        label=_("フォローアップの期限"),
        required=False,
        help_text=_("後で連絡・確認するときだけ。入れると状況は「対応中」になります。"),
    )
    follow_up_description = forms.CharField(
        label=_("フォローアップでやること"),
        max_length=200,
        required=False,
        help_text=_("例: 助成金の申請書が書けたか電話で確認する"),
    )
    themes = theme_checkboxes(_("活動分野"))

    def __init__(self, *args, user=None, instance: Consultation | None = None, **kwargs) -> None:
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is None:
            initial.setdefault("consulted_on", timezone.localdate())
            initial.setdefault("channel", Channel.VISIT)
            initial.setdefault("duration_minutes", 30)
            initial.setdefault("status", ConsultationStatus.CLOSED)
            if user is not None:
                initial.setdefault("staff", user.pk)
        else:
            initial.update(
                consulted_on=instance.consulted_on,
                channel=instance.channel,
                duration_minutes=instance.duration_minutes,
                staff=instance.staff_id,
                group=instance.group_id or "",
                person=instance.person_id or "",
                is_anonymous=instance.is_anonymous,
                topics=[t.pk for t in instance.topics.all()],
                themes=[t.pk for t in instance.themes.all()],
                question=instance.question,
                answer=instance.answer,
                status=instance.status,
            )
        super().__init__(*args, **kwargs)
        # The one who answered stays selectable after they have left, or the select would show
        # (and saving would record) someone else.
        answered = Q(pk=instance.staff_id) if instance is not None and instance.staff_id else None
        self.fields["staff"].queryset = staff_users(also=answered)
        if instance is not None:
            del self.fields["follow_up_due_on"]
            del self.fields["follow_up_description"]

    # The currently chosen group and person (objects), for the template.
    def chosen(self, name: str):
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        if not value:
            return None
        return party_resolve(f"{name}:{value}", kinds=(name,))

    def chosen_group(self):
        return self.chosen("group")

    def chosen_person(self):
        return self.chosen("person")

    def _resolved(self, kind: str, missing: str):
        """The group or person the hidden field names, or None; a name that no longer resolves is an error."""
        value = self.cleaned_data.get(kind)
        if not value:
            return None
        found = party_resolve(f"{kind}:{value}", kinds=(kind,))
        if found is None:
            raise ValidationError(missing)
        return found

    def clean_group(self):
        return self._resolved("group", _("団体が見つかりません。もう一度さがしてください。"))

    def clean_person(self):
        return self._resolved("person", _("相談者が見つかりません。もう一度さがしてください。"))

    def clean(self):
        cleaned = super().clean()
        anonymous = cleaned.get("is_anonymous")
        person = cleaned.get("person")
        new_name = (cleaned.get("new_person_name") or "").strip()
        if anonymous and (person or new_name):
            raise ValidationError(
                _("匿名の相談にするときは、相談者を選ばず、新しい相談者も入力しないでください。")
            )
        if person and new_name:
            self.add_error(
                "new_person_name", _("相談者を候補から選んだときは、新しい相談者の氏名は空にしてください。")
            )
        return cleaned


class ReferralForm(RequirementsMixin, forms.Form):
    """つなぎ先: a department from the list, or a group or business found by search."""

    # `target` is the chosen search result; its mark is shown next to the search box (target_q).
    requirements = (
        OneOfRequired(
            ("department", "target"),
            mark=_("担当課か団体・企業のどちらかは必須"),
            message=_("つなぎ先を1つ選んでください（担当課、または団体・企業のどちらか）。"),
        ),
    )

    department = department_choice(_("担当課・公的機関"), empty_label=_("（選ばない）"))
    target_q = _party_search_box(_("団体・企業をさがす"), _("例: みらいデザイン"))
    target = forms.CharField(required=False)
    note = text_area(
        _("つないだ内容"), rows=2, required=False, help_text=_("例: 助成金の窓口として担当者を紹介")
    )

    def clean(self):
        cleaned = super().clean()
        target = party_resolve(cleaned.get("target") or "", kinds=("group", "business"))
        if cleaned.get("target") and target is None:
            self.add_error("target_q", _("選んだ団体・企業が見つかりません。もう一度さがしてください。"))
        if cleaned.get("department") and target:
            raise ValidationError(_("つなぎ先を1つ選んでください（担当課、または団体・企業のどちらか）。"))
        cleaned["target_object"] = target
        return cleaned


class ReferralResultForm(forms.Form):
    """The result of one referral. The record page shows one per referral: the ids name the
    referral, and a posted form shown again keeps what was chosen and typed."""

    result = forms.ChoiceField(label=_("結果"), choices=ReferralResult.choices, widget=forms.RadioSelect)
    result_note = text_area(_("結果のメモ"), rows=2, required=False, help_text=_("例: 5月に助成金を申請した"))

    def __init__(self, *args, referral: Referral, **kwargs) -> None:
        kwargs.setdefault("initial", {"result": referral.result, "result_note": referral.result_note})
        kwargs.setdefault("auto_id", f"id_%s_{referral.pk}")
        super().__init__(*args, **kwargs)
        self.referral = referral


class FollowUpForm(forms.Form):
    due_on = DateField(label=_("期限"), help_text=_("例: 2026-05-15"))
    owner = forms.ModelChoiceField(label=_("担当職員"), queryset=staff_users(), empty_label=None)
    description = forms.CharField(
        label=_("やること"), max_length=200, required=False, help_text=_("例: 申請書が書けたか電話で確認する")
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        if user is not None:
            kwargs["initial"].setdefault("owner", user.pk)
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()


def _linked_records(label) -> forms.ModelMultipleChoiceField:
    """Records of another app to link, optional; the form sets the queryset."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=None,
        required=False,
        help_text=_("Ctrl（Macは⌘）を押しながら選ぶと複数選べます。"),
    )


def _recent_and_linked(model, linked_ids: list[int], *, order: str = "-id", limit: int = 200):
    recent = list(model.objects.order_by(order).values_list("pk", flat=True)[:limit])
    return model.objects.filter(pk__in=set(recent) | set(linked_ids)).order_by(order)


class RelatedLinksForm(forms.Form):
    """What came from the consultation: events and collaboration projects (the 200 newest of each).

    Matches point at their consultation themselves (matching.Match.origin_consultation).
    """

    related_events = _linked_records(_("この相談から生まれた催し"))
    related_projects = _linked_records(_("この相談から生まれた協働事業"))

    def __init__(self, *args, consultation: Consultation, **kwargs) -> None:
        from events.models import Event
        from projects.models import Project

        super().__init__(*args, **kwargs)
        linked = {
            "related_events": [e.pk for e in consultation.related_events.all()],
            "related_projects": [p.pk for p in consultation.related_projects.all()],
        }
        self.fields["related_events"].queryset = _recent_and_linked(Event, linked["related_events"])
        self.fields["related_projects"].queryset = _recent_and_linked(Project, linked["related_projects"])
        for name, ids in linked.items():
            self.initial.setdefault(name, ids)


class StatisticsForm(forms.Form):
    """The fiscal year of the statistics page and its CSV: one of the last ten (this one when
    none is given). Any other value is an error next to the field, never another year."""

    YEARS_BACK = 10

    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = fiscal_year_choices(back=self.YEARS_BACK, forward=0)

    @property
    def year(self) -> int:
        return self.cleaned_data.get("fiscal_year") or current_fiscal_year()
