from django import forms
from django.utils.translation import gettext_lazy as _

from core.fiscal import current_fiscal_year, fiscal_year_label
from core.form_fields import offered_with_linked
from core.form_helpers import text_area
from events.models import Event, Program
from reports.models import OutcomeRecord
from reports.services import report_request_years, report_years_text


def year_choices(*, back: int = 6, forward: int = 0) -> list[tuple[int, str]]:
    current = current_fiscal_year()
    return [(year, fiscal_year_label(year)) for year in range(current + forward, current - back - 1, -1)]


class ReportRequestForm(forms.Form):
    """Which report to make: a program code or "all", and a fiscal year of the last ten or the
    next. Any other year is an error that names it and the years there are, never another year."""

    program = forms.CharField(label=_("事業"), max_length=40)
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["fiscal_year"]
        field.choices = [(year, fiscal_year_label(year)) for year in report_request_years()]
        # %%(value)s stays for Django to fill in with the value sent.
        field.error_messages["invalid_choice"] = _(
            "「%%(value)s」は報告書を依頼できる年度ではありません。%(years)sから選んでください。"
        ) % {"years": report_years_text()}

    def clean_program(self):
        code = self.cleaned_data["program"]
        if code == "all":
            return None
        program = Program.objects.filter(code=code).first()
        if program is None:
            raise forms.ValidationError(_("事業が見つかりません。"))
        return program


class OutcomeRecordForm(forms.ModelForm):
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())

    class Meta:
        model = OutcomeRecord
        fields = [
            "program",
            "fiscal_year",
            "axis",
            "category",
            "episode",
            "source",
            "groups",
            "events",
            "projects",
            "order",
        ]
        widgets = {
            "episode": forms.Textarea(attrs={"rows": 4}),
            "groups": forms.SelectMultiple(attrs={"size": 6}),
            "events": forms.SelectMultiple(attrs={"size": 6}),
            "projects": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "projects": _(
                "その年度の協働事業から選びます。複数選ぶときは Ctrl（Mac は ⌘）を押しながら選びます。"
            ),
            "groups": _("複数選ぶときは Ctrl（Mac は ⌘）を押しながら選びます。"),
            "events": _("その年度の催しから選びます。複数選ぶときは Ctrl（Mac は ⌘）を押しながら選びます。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = year_choices(back=6, forward=1)
        self.fields["program"].empty_label = _("（事業全体を通じて）")
        self.fields["program"].queryset = Program.objects.order_by("order", "id")
        from groups.models import Group

        self.fields["groups"].queryset = Group.objects.only("id", "name").order_by("sort_key", "id")
        year = (
            (self.data.get("fiscal_year") if self.is_bound else None)
            or self.initial.get("fiscal_year")
            or (self.instance.fiscal_year if self.instance.pk else None)
        )
        if not str(year or "").isdigit():
            year = None
        events = Event.objects.only("id", "title").order_by("-id")
        if year:
            from reports.selectors import fiscal_year_datetimes

            start, end = fiscal_year_datetimes(int(year))
            events = events.filter(sessions__starts_at__gte=start, sessions__starts_at__lt=end).distinct()
        from projects.models import Project

        projects = Project.objects.only("id", "title").order_by("-fiscal_year", "title")
        if year:
            projects = projects.filter(fiscal_year__in=(int(year), int(year) - 1))
        # The year's projects and events, and those already linked even outside the year.
        project_ids = offered_with_linked(
            projects.values_list("pk", flat=True)[:300], self.instance, "projects"
        )
        self.fields["projects"].queryset = Project.objects.filter(pk__in=project_ids).only("id", "title")
        event_ids = offered_with_linked(events.values_list("pk", flat=True)[:300], self.instance, "events")
        self.fields["events"].queryset = (
            Event.objects.filter(pk__in=event_ids).only("id", "title").order_by("-id")
        )


class AssessmentForm(forms.Form):
    """総括, 目標 (one number per figure, blank: no target), 課題と次年度の方針, and for each axis
    without an episode the reason why."""

    summary = text_area(
        _("総括"),
        rows=6,
        required=False,
        help_text=_("例: 参加者は目標を上回り、ALPへ進む人が増えた。一方、若い世代の参加が少なかった。"),
    )
    issues = text_area(
        _("課題と次年度の方針"),
        rows=6,
        required=False,
        help_text=_("例: 若い世代に届くよう、夜間・オンラインの回を設ける。"),
    )

    def __init__(self, *args, assessment=None, **kwargs):
        from reports.labels import target_figures
        from reports.models import OutcomeAxis

        if assessment is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "summary": assessment.summary,
                "issues": assessment.issues,
                **{f"target__{key}": value for key, value in assessment.targets.items()},
                **{f"note__{axis}": text for axis, text in assessment.axis_notes.items()},
            }
        super().__init__(*args, **kwargs)
        for key, label, unit in target_figures():
            self.fields[f"target__{key}"] = forms.IntegerField(
                label=_("目標: %(label)s（%(unit)s）") % {"label": label, "unit": unit},
                required=False,
                min_value=0,
                max_value=1_000_000,
                error_messages={"invalid": _("半角数字で入力してください（例: 120）。")},
            )
        for axis in OutcomeAxis:
            self.fields[f"note__{axis.value}"] = text_area(
                _("「%(axis)s」の成果がない場合、その理由") % {"axis": axis.label},
                rows=2,
                required=False,
                max_length=500,
            )

    def target_fields(self):
        return [self[name] for name in self.fields if name.startswith("target__")]

    def note_fields(self):
        return [self[name] for name in self.fields if name.startswith("note__")]

    @property
    def targets(self) -> dict:
        return {
            name.removeprefix("target__"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("target__")
        }

    @property
    def axis_notes(self) -> dict:
        return {
            name.removeprefix("note__"): value or ""
            for name, value in self.cleaned_data.items()
            if name.startswith("note__")
        }
