"""Reads for consultations: lists with a fixed number of queries, the dashboard, statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from consultations.filters import AccessLogFilter, ConsultationFilter
from consultations.models import (
    Channel,
    Consultation,
    ConsultationAccessLog,
    ConsultationStatus,
    FollowUp,
    Referral,
    Topic,
    choice_label,
    client_label,
)
from core.filters import valid_or_empty
from core.fiscal import current_fiscal_year, fiscal_year_label, fiscal_year_of, fiscal_year_range
from core.history import HistoryEntry, history_entries
from core.models import Department, Person, listed_name
from core.pagecache import versions
from core.search import keyword_search
from core.selectors import people_matching

# What a row of a consultation table shows (consultations/_table.html), and no more: the question
# and answer texts and the people's other columns stay in the database.
ROW_COLUMNS = (
    "pk",
    "consulted_on",
    "channel",
    "status",
    "is_anonymous",
    "anonymised_at",
    "staff__full_name",
    "group_id",
    "group__name",
    "person_id",
    "person__name",
)


@dataclass(frozen=True)
class ConsultationRow:
    """One row of a consultation table, read as plain values: a page of twenty made as model
    instances (with their related staff, group, person and topic managers) cost more than the
    query that reads it."""

    pk: int
    consulted_on: dt.date
    client_label: str
    topic_names: tuple[str, ...]
    channel: str
    channel_label: str
    staff_name: str
    status: str
    status_label: str
    anonymised_at: dt.datetime | None


def _client_label_of_values(v: dict, prefix: str = "") -> str:
    """Consultation.client_label from a row read with values(): the consultation's columns under
    `prefix` (its group and person names, is_anonymous, anonymised_at)."""
    return client_label(
        group=v[f"{prefix}group__name"] if v[f"{prefix}group_id"] else None,
        person=v[f"{prefix}person__name"] if v[f"{prefix}person_id"] else None,
        anonymous=v[f"{prefix}is_anonymous"] or v[f"{prefix}anonymised_at"] is not None,
    )


def consultation_rows(page: QuerySet[Consultation]) -> list[ConsultationRow]:
    """The rows of one page (a slice) of consultation_list() or group_consultations(): two
    queries, the page's columns, then the topic names of its consultations."""
    values = list(page.values(*ROW_COLUMNS))
    through = Consultation.topics.through
    topic_names: dict[int, list[str]] = {}
    for consultation_id, name in (
        through.objects.filter(consultation_id__in=[v["pk"] for v in values])
        .order_by("topic__order", "topic_id")
        .values_list("consultation_id", "topic__name")
    ):
        topic_names.setdefault(consultation_id, []).append(name)
    rows = []
    for v in values:
        rows.append(
            ConsultationRow(
                pk=v["pk"],
                consulted_on=v["consulted_on"],
                client_label=_client_label_of_values(v),
                topic_names=tuple(topic_names.get(v["pk"], ())),
                channel=v["channel"],
                channel_label=choice_label(Channel, v["channel"]),
                staff_name=listed_name(v["staff__full_name"]),
                status=v["status"],
                status_label=choice_label(ConsultationStatus, v["status"]),
                anonymised_at=v["anonymised_at"],
            )
        )
    return rows


def consultation_list(*, data=None) -> tuple[ConsultationFilter, QuerySet[Consultation]]:
    """The filter set (for the form) and the filtered consultations, newest first (a page of
    them is read by consultation_rows)."""
    filterset = ConsultationFilter(data=data or None, queryset=Consultation.objects.all())
    valid_or_empty(filterset)
    return filterset, filterset.qs.order_by("-consulted_on", "-id")


def consultation_export_rows(*, data=None) -> tuple[ConsultationFilter, QuerySet[Consultation]]:
    """Every column of the filtered consultations (the CSV has them all), newest first."""
    filterset = ConsultationFilter(data=data or None, queryset=Consultation.objects.all())
    valid_or_empty(filterset)
    queryset = filterset.qs.order_by("-consulted_on", "-id").select_related("staff", "group", "person")
    return filterset, queryset.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("order", "id")),
        "themes",
        Prefetch("referrals", queryset=Referral.objects.select_related("department", "group", "business")),
    )


def consultation_detail(*, pk: int) -> Consultation:
    return (
        Consultation.objects.select_related("staff", "group", "person", "created_by")
        .prefetch_related(
            "topics",
            "themes",
            "related_events",
            "related_projects",
            Prefetch("matches", queryset=_matches_with_parties()),
            Prefetch(
                "referrals", queryset=Referral.objects.select_related("department", "group", "business")
            ),
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner")),
        )
        .get(pk=pk)
    )


def _matches_with_parties():
    from matching.models import Match

    return Match.objects.select_related(
        "group_a", "business_a", "department_a", "group_b", "business_b", "department_b"
    )


def person_consultations(*, person) -> list[Consultation]:
    """The consultations of one person (their staff page): newest first, with staff and topics."""
    return list(
        Consultation.objects.filter(person=person)
        .select_related("staff", "group")
        .prefetch_related("topics")
        .order_by("-consulted_on", "-id")
    )


def group_consultations(*, group) -> QuerySet[Consultation]:
    """A group's consultations, newest first (a page of them is read by consultation_rows)."""
    return Consultation.objects.filter(group=group).order_by("-consulted_on", "-id")


def _this_week(today: dt.date | None) -> tuple[dt.date, dt.date, dict[str, Q]]:
    """Today (Japan), the Sunday that ends its week, and the conditions of the two lists of pending
    follow-ups: `overdue` (before today) and `this_week` (today to Sunday)."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    return today, week_end, {"overdue": Q(due_on__lt=today), "this_week": Q(due_on__range=(today, week_end))}


# What a row of the follow-ups page shows (consultations/_follow_up_table.html): not the
# consultation's texts.
FOLLOW_UP_COLUMNS = (
    "pk",
    "due_on",
    "description",
    "consultation_id",
    "owner__full_name",
    "consultation__consulted_on",
    "consultation__is_anonymous",
    "consultation__anonymised_at",
    "consultation__group_id",
    "consultation__group__name",
    "consultation__person_id",
    "consultation__person__name",
)


@dataclass(frozen=True)
class FollowUpRow:
    """One row of the follow-ups page, read as plain values (like ConsultationRow): made as model
    instances with their consultation, group, person and owner, the rows cost more than the rest
    of the page."""

    pk: int
    due_on: dt.date
    description: str
    consultation_id: int
    consulted_on: dt.date
    client_label: str
    owner_name: str


def follow_ups_due(*, today: dt.date | None = None, owner=None) -> dict:
    """Pending follow-ups, oldest date first: `overdue` (before today) and `this_week` (today to
    Sunday) as querysets of values for the page to slice and hand to follow_up_rows, and how many
    of each (`counts`, one query)."""
    today, week_end, lists = _this_week(today)
    pending = FollowUp.objects.pending()
    if owner is not None:
        pending = pending.filter(owner=owner)
    rows = pending.order_by("due_on", "id").values(*FOLLOW_UP_COLUMNS)
    return {
        **{name: rows.filter(condition) for name, condition in lists.items()},
        "counts": follow_up_counts(today=today, owner=owner),
        "today": today,
        "week_end": week_end,
    }


def follow_up_rows(values) -> list[FollowUpRow]:
    """The rows of one page (a slice) of follow_ups_due()'s lists."""
    return [
        FollowUpRow(
            pk=v["pk"],
            due_on=v["due_on"],
            description=v["description"],
            consultation_id=v["consultation_id"],
            consulted_on=v["consultation__consulted_on"],
            client_label=_client_label_of_values(v, "consultation__"),
            owner_name=listed_name(v["owner__full_name"]),
        )
        for v in values
    ]


def follow_ups_due_count(*, today: dt.date | None = None) -> int:
    """Pending follow-ups overdue or due this week (the staff menu's number)."""
    return sum(follow_up_counts(today=today).values())


def follow_up_counts(*, today: dt.date | None = None, owner=None) -> dict[str, int]:
    """How many pending follow-ups each list of follow_ups_due() holds (`overdue`, `this_week`), of
    everyone or of one owner, in one query."""
    today, week_end, lists = _this_week(today)
    pending = FollowUp.objects.pending().filter(due_on__lte=week_end)
    if owner is not None:
        pending = pending.filter(owner=owner)
    return pending.aggregate(**{name: Count("pk", filter=condition) for name, condition in lists.items()})


@dataclass
class PartyHit:
    kind: str  # group, person, business, department
    pk: int
    label: str
    note: str = ""

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.pk}"


def party_search(*, q: str, kinds: tuple[str, ...] = ("group", "person"), limit: int = 8) -> list[PartyHit]:
    """Groups, people, businesses or departments whose name or reading contains every word of q."""
    from groups.models import Group
    from matching.models import Business

    search = keyword_search(q)
    if not search:
        return []
    hits: list[PartyHit] = []

    def narrowed(queryset, field_name="search_text"):
        return search.filter(queryset, field_name)[:limit]

    if "group" in kinds:
        # By name or reading only (name_key, sort_key): a group's search_text also holds its
        # purpose and activities, where a district's name turns up in many other groups.
        groups = Group.objects.filter(search.q(["name_key__contains", "sort_key__contains"]))
        for group in groups.only("pk", "name", "status")[:limit]:
            hits.append(PartyHit("group", group.pk, group.name, group.get_status_display()))
    if "person" in kinds:
        # By name, reading or e-mail in any spelling, or by the digits of a phone number however
        # typed (09012345678 finds 090-1234-5678), as the events' people search.
        people = people_matching(q, words=search.q(["search_text__contains"]))
        for person in people.only("pk", "name", "name_kana", "phone").order_by("sort_key", "pk")[:limit]:
            note = "・".join(filter(None, [person.name_kana, person.phone]))
            hits.append(PartyHit("person", person.pk, person.name, note))
    if "business" in kinds:
        for business in narrowed(Business.objects.only("pk", "name", "industry")):
            hits.append(PartyHit("business", business.pk, business.name, business.industry))
    if "department" in kinds:
        for department in narrowed(Department.objects.filter(is_active=True).only("pk", "name", "division")):
            hits.append(PartyHit("department", department.pk, department.name, department.division))
    return hits


def party_resolve(value: str, *, kinds: tuple[str, ...]):
    """'group:12' → the Group (or None when the value is empty, malformed or of another kind)."""
    from groups.models import Group
    from matching.models import Business

    kind, _sep, raw_pk = (value or "").partition(":")
    if kind not in kinds or not raw_pk.isdigit():
        return None
    model = {"group": Group, "person": Person, "business": Business, "department": Department}[kind]
    return model.objects.filter(pk=int(raw_pk)).first()


# --- Statistics ------------------------------------------------------------------------------------


@dataclass
class CountTable:
    """Counts with labelled rows and columns, and totals: one table on the statistics page."""

    title: str
    caption: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    note: str = ""
    row_totals: list[int] = field(init=False)
    column_totals: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.row_totals = [sum(row) for row in self.cells]
        self.column_totals = [sum(col) for col in zip(*self.cells, strict=True)] if self.cells else []

    @property
    def rows(self):
        return list(zip(self.row_labels, self.cells, self.row_totals, strict=True))

    @property
    def total(self) -> int:
        return sum(self.row_totals)


def fiscal_months(fiscal_year: int) -> list[tuple[int, int]]:
    """(year, month) from April to March."""
    return [(fiscal_year, m) for m in range(4, 13)] + [(fiscal_year + 1, m) for m in range(1, 4)]


def _channel_rows(queryset):
    return (
        queryset.annotate(y=ExtractYear("consulted_on"), m=ExtractMonth("consulted_on"))
        .values("y", "m", "channel")
        .annotate(n=Count("id"))
        .order_by()
    )


def _topic_rows(start: dt.date, end: dt.date):
    through = Consultation.topics.through
    return (
        through.objects.filter(consultation__consulted_on__range=(start, end))
        .annotate(y=ExtractYear("consultation__consulted_on"), m=ExtractMonth("consultation__consulted_on"))
        .values("y", "m", "topic_id")
        .annotate(n=Count("id"))
        .order_by()
    )


TOPIC_NOTE = gettext_lazy(
    "1件の相談に複数の分野があるときは、それぞれの分野に数えます（分野別の合計は相談件数より多くなります）。"
)


def monthly_counts(*, fiscal_year: int) -> dict[str, CountTable]:
    """Counts per month of one fiscal year, by channel and by topic."""
    start, end = fiscal_year_range(fiscal_year)
    months = fiscal_months(fiscal_year)
    month_index = {ym: i for i, ym in enumerate(months)}
    month_labels = [_("%(month)d月") % {"month": m} for _y, m in months]
    channels = list(Channel)
    by_channel = [[0] * len(months) for _c in channels]
    channel_index = {c.value: i for i, c in enumerate(channels)}
    for row in _channel_rows(Consultation.objects.filter(consulted_on__range=(start, end))):
        by_channel[channel_index[row["channel"]]][month_index[(row["y"], row["m"])]] += row["n"]
    topics = list(Topic.objects.order_by("order", "id"))
    topic_index = {t.pk: i for i, t in enumerate(topics)}
    by_topic = [[0] * len(months) for _t in topics]
    for row in _topic_rows(start, end):
        by_topic[topic_index[row["topic_id"]]][month_index[(row["y"], row["m"])]] += row["n"]
    label = fiscal_year_label(fiscal_year)
    return {
        "channel": CountTable(
            title=_("相談方法別・月別の件数"),
            caption=_("%(fy)s 相談方法別・月別の相談件数") % {"fy": label},
            row_labels=[str(c.label) for c in channels],
            column_labels=month_labels,
            cells=by_channel,
        ),
        "topic": CountTable(
            title=_("分野別・月別の件数"),
            caption=_("%(fy)s 分野別・月別の相談件数（延べ）") % {"fy": label},
            row_labels=[t.name for t in topics],
            column_labels=month_labels,
            cells=by_topic,
            note=TOPIC_NOTE,
        ),
    }


def fiscal_year_counts(*, first: int, last: int) -> dict[str, CountTable]:
    """Counts per fiscal year from `first` to `last`, by channel and by topic."""
    start, end = fiscal_year_range(first)[0], fiscal_year_range(last)[1]
    years = list(range(first, last + 1))
    year_index = {fy: i for i, fy in enumerate(years)}
    channels = list(Channel)
    channel_index = {c.value: i for i, c in enumerate(channels)}
    by_channel = [[0] * len(years) for _c in channels]
    for row in _channel_rows(Consultation.objects.filter(consulted_on__range=(start, end))):
        fy = fiscal_year_of(dt.date(row["y"], row["m"], 1))
        by_channel[channel_index[row["channel"]]][year_index[fy]] += row["n"]
    topics = list(Topic.objects.order_by("order", "id"))
    topic_index = {t.pk: i for i, t in enumerate(topics)}
    by_topic = [[0] * len(years) for _t in topics]
    for row in _topic_rows(start, end):
        fy = fiscal_year_of(dt.date(row["y"], row["m"], 1))
        by_topic[topic_index[row["topic_id"]]][year_index[fy]] += row["n"]
    year_labels = [fiscal_year_label(fy) for fy in years]
    return {
        "channel": CountTable(
            title=_("相談方法別・年度別の件数"),
            caption=_("相談方法別・年度別の相談件数"),
            row_labels=[str(c.label) for c in channels],
            column_labels=year_labels,
            cells=by_channel,
        ),
        "topic": CountTable(
            title=_("分野別・年度別の件数"),
            caption=_("分野別・年度別の相談件数（延べ）"),
            row_labels=[t.name for t in topics],
            column_labels=year_labels,
            cells=by_topic,
            note=TOPIC_NOTE,
        ),
    }


def fiscal_year_summary(*, fiscal_year: int) -> dict:
    """The figures of one fiscal year for the outcome report."""
    start, end = fiscal_year_range(fiscal_year)
    consultations = Consultation.objects.filter(consulted_on__range=(start, end))
    totals = consultations.aggregate(n=Count("id"), minutes=Sum("duration_minutes"))
    by_channel = dict(consultations.values_list("channel").annotate(n=Count("id")).order_by())
    topic_counts = dict(
        Consultation.topics.through.objects.filter(consultation__consulted_on__range=(start, end))
        .values_list("topic_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    referrals = Referral.objects.filter(consultation__consulted_on__range=(start, end))
    referral_counts = dict(referrals.values_list("result").annotate(n=Count("id")).order_by())
    return {
        "total": totals["n"] or 0,
        "minutes": totals["minutes"] or 0,
        "by_channel": {c: by_channel.get(c.value, 0) for c in Channel},
        "by_topic": [(t, topic_counts.get(t.pk, 0)) for t in Topic.objects.order_by("order", "id")],
        "referrals": sum(referral_counts.values()),
        "referrals_by_result": referral_counts,
        "groups": consultations.exclude(group=None).values("group").distinct().count(),
    }


def default_statistics_years() -> tuple[int, int]:
    last = current_fiscal_year()
    return last - 5, last


# Counts change only when a consultation, its topics or referrals are saved or deleted, which
# bumps the "consultations" version (apps.py); the expiry bounds what a plain UPDATE could leave.
STATISTICS_CACHE_SECONDS = 600


def statistics_figures(*, fiscal_year: int, chart=None, html=None) -> dict:
    """The statistics page's tables: one fiscal year by month, the last six by year, and the
    year's summary (12 queries), with ``chart(monthly, fiscal_year)`` (the drawn chart) and
    ``html(figures)`` (the figures rendered) when given, kept in the cache per version of the
    consultations."""
    first, last = default_statistics_years()
    # The version is read before counting: a change made meanwhile leaves this entry behind.
    key = "consultations:statistics:v2:{}:{}:{}:{}:{}:{}:{}".format(
        versions(("consultations",)), get_language(), fiscal_year, first, last, bool(chart), bool(html)
    )
    found = cache.get(key)
    if found is None:
        found = {
            "monthly": monthly_counts(fiscal_year=fiscal_year),
            "yearly": fiscal_year_counts(first=first, last=last),
            "summary": fiscal_year_summary(fiscal_year=fiscal_year),
        }
        found["chart"] = chart(found["monthly"], fiscal_year) if chart else None
        found["html"] = html(found) if html else None
        cache.set(key, found, STATISTICS_CACHE_SECONDS)
    return found


def access_log_list(*, data=None) -> tuple[AccessLogFilter, QuerySet[ConsultationAccessLog]]:
    filterset = AccessLogFilter(data=data or None, queryset=ConsultationAccessLog.objects.all())
    valid_or_empty(filterset)
    return filterset, filterset.qs.select_related("user").order_by("-at", "-id")


def retention_status() -> dict:
    """For the audit page: the retention period, what is waiting, and the last anonymisation run."""
    from django.conf import settings

    from consultations.models import AccessAction
    from consultations.services import retention_cutoff

    cutoff = retention_cutoff()
    today = timezone.localdate()
    next_run = dt.date(today.year if today < dt.date(today.year, 4, 1) else today.year + 1, 4, 1)
    return {
        "next_run": next_run,
        "years": settings.CONSULTATION_RETENTION_YEARS,
        "cutoff": cutoff,
        "waiting": Consultation.objects.expired(before=cutoff).count(),
        "last_run": ConsultationAccessLog.objects.filter(action=AccessAction.ANONYMISE)
        .order_by("-at", "-id")
        .first(),
    }


def referrals_by_department(*, fiscal_year: int) -> dict[int, int]:
    """Referrals (つなぎ先) to each department in consultations of the fiscal year: department id → count."""
    start, end = fiscal_year_range(fiscal_year)
    return dict(
        Referral.objects.filter(consultation__consulted_on__range=(start, end), department__isnull=False)
        .values_list("department")
        .annotate(n=Count("pk"))
        .order_by()
    )


def consultation_history(consultation: Consultation) -> list[HistoryEntry]:
    """Who changed what in a consultation, when (core.history). It is the record itself: only the
    pages that show the record show it, under the same access rule and access log."""
    return history_entries(consultation)
