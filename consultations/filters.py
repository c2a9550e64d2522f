"""Search and filters of the consultation list (and of the CSV export, which uses the same)."""

from __future__ import annotations

from collections import Counter

import django_filters
from django import forms
from django.db.models import Min, Q
from django.utils.translation import gettext_lazy as _

from consultations.models import (
    AccessAction,
    Channel,
    Consultation,
    ConsultationAccessLog,
    ConsultationStatus,
    Topic,
)
from core.filters import IdFilter, KeywordFilter, ModelChoiceFilter
from core.fiscal import fiscal_year_choices, fiscal_year_range
from core.form_fields import DateInput
from core.models import User, listed_name
from core.roles import Role
from core.validators import end_not_before_start
from groups.filters import legal_form_match


def staff_users(request=None, *, also: Q | None = None):
    """Active staff and superusers, in あいうえお order (a filter's callable choices take the request);
    `also` adds the accounts a record already names (staff who have since left)."""
    condition = Q(Q(groups__name=Role.STAFF) | Q(is_superuser=True), is_active=True)
    if also is not None:
        condition |= also
    return User.objects.filter(condition).distinct().order_by("full_name_kana", "email")


def answering_staff(request=None):
    """The 対応職員 the list is filtered by: the staff, and those who have since left (a deactivated
    account, a staff role taken away) but answered consultations."""
    return staff_users(also=Q(pk__in=Consultation.objects.values("staff_id")))


def people_in_the_log(request=None) -> list[tuple[str, str]]:
    """Everyone who has an entry in the access log, in あいうえお order, by name (never e-mail):
    staff who have since left (a deactivated account, a staff role taken away) too, for the log is
    read about them most; then the accounts deleted since, by the name recorded with their entries
    (value ``d<first entry id>``, so no address travels in a link). Namesakes get their ふりがな,
    or their number. Two queries."""
    in_the_log = ConsultationAccessLog.objects.filter(user__isnull=False).values("user_id")
    people = User.objects.filter(pk__in=in_the_log).order_by("full_name_kana", "email")
    options = [(str(user.pk), str(user), user.full_name_kana, user.pk) for user in people]
    gone = (
        ConsultationAccessLog.objects.filter(user__isnull=True)
        .values("user_label")
        .annotate(first=Min("id"))
        .order_by("user_label")
    )
    for row in gone:
        name, _at, address = row["user_label"].partition(" <")
        if address:  # an account deleted since; the system's own entries have no address
            name = _("%(name)s（削除されたアカウント）") % {"name": listed_name(name)}
        options.append((f"d{row['first']}", name, "", row["first"]))
    names = Counter(label for _value, label, _kana, _number in options)
    return [
        (value, _namesake(label, kana, number) if names[label] > 1 else label)
        for value, label, kana, number in options
    ]


def _namesake(label: str, kana: str, number: int) -> str:
    return (
        f"{label}（{kana}）" if kana else _("%(name)s（No.%(number)s）") % {"name": label, "number": number}
    )


def all_topics(request=None):
    return Topic.objects.all()


class PeriodForm(forms.Form):
    """The filter form of a list with 期間（から）and（まで）: a period that ends before it begins
    is an error next to （まで）, not an empty list that reads as nothing found."""

    def clean(self):
        return end_not_before_start(
            self,
            super().clean(),
            "date_from",
            "date_to",
            _("期間（まで）は、期間（から）と同じ日かそれより後の日にしてください。"),
        )


class ConsultationFilter(django_filters.FilterSet):
    q = KeywordFilter(
        lookups=["search_text__contains"],
        help_text=_("相談内容・対応内容・相談者名・団体名から探します。例: 助成金"),
    )
    fiscal_year = django_filters.ChoiceFilter(
        label=_("年度"), method="filter_fiscal_year", choices=[], empty_label=_("すべて")
    )
    date_from = django_filters.DateFilter(
        label=_("期間（から）"), field_name="consulted_on", lookup_expr="gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("期間（まで）"), field_name="consulted_on", lookup_expr="lte", widget=DateInput
    )
    # The choices as callables: each filter set deep-copies its filters, and a copied QuerySet
    # copies its whole query (a millisecond of every list request).
    topic = ModelChoiceFilter(
        label=_("相談の分野"), method="filter_topic", queryset=all_topics, empty_label=_("すべて")
    )
    channel = django_filters.ChoiceFilter(
        label=_("相談方法"), choices=Channel.choices, empty_label=_("すべて")
    )
    staff = ModelChoiceFilter(label=_("対応職員"), queryset=answering_staff, empty_label=_("すべて"))
    group_name = KeywordFilter(
        lookups=["group__search_text__contains"],
        or_matches=legal_form_match("group__legal_form"),
        label=_("団体名"),
        help_text=_("例: こども食堂"),
    )
    group = IdFilter(label=_("団体ID"), field_name="group_id", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        label=_("状況"), choices=ConsultationStatus.choices, empty_label=_("すべて")
    )

    class Meta:
        model = Consultation
        form = PeriodForm
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["fiscal_year"].extra["choices"] = fiscal_year_choices(back=6, forward=0)

    def filter_topic(self, queryset, name, value):
        # A subquery, not a join: each consultation appears once, so the list needs no DISTINCT
        # (which made PostgreSQL sort whole rows, question and answer included).
        tagged = Consultation.topics.through.objects.filter(topic=value).values("consultation_id")
        return queryset.filter(pk__in=tagged)

    def filter_fiscal_year(self, queryset, name, value):
        start, end = fiscal_year_range(int(value))
        return queryset.filter(consulted_on__range=(start, end))


class AccessLogFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        label=_("操作"), choices=AccessAction.choices, empty_label=_("すべて")
    )
    user = django_filters.ChoiceFilter(
        label=_("利用者"), choices=people_in_the_log, method="filter_user", empty_label=_("すべて")
    )
    date_from = django_filters.DateFilter(
        label=_("期間（から）"), field_name="at", lookup_expr="date__gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("期間（まで）"), field_name="at", lookup_expr="date__lte", widget=DateInput
    )
    consultation = IdFilter(
        label=_("相談記録ID"),
        method="filter_consultation",
        help_text=_("その相談記録に触れた操作だけを表示します。"),
    )

    class Meta:
        model = ConsultationAccessLog
        form = PeriodForm
        fields: list[str] = []

    def filter_user(self, queryset, name, value):
        if value.startswith("d"):  # a deleted account: its entries by the name recorded with them
            first = ConsultationAccessLog.objects.filter(pk=int(value[1:])).values("user_label")
            return queryset.filter(user__isnull=True, user_label=first[:1])
        return queryset.filter(user_id=int(value))

    def filter_consultation(self, queryset, name, value):
        # JSON containment is not portable to SQLite: match the id inside the stored list text.
        value = int(value)
        return queryset.filter(
            Q(consultation_ids__contains=[value])
            if _json_contains_supported()
            else Q(consultation_ids__regex=rf"(^|[\[ ,]){value}([\], ]|$)")
        )


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains
