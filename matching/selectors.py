"""Reads for the matching pages: suggestions, needs and offers, the pipeline and report counts.

Suggestions for one party run a fixed number of queries whatever the number of parties: the
candidates are narrowed in SQL (open offers and needs of a fitting kind; the parties sharing the
most themes and districts, counted by the database), and only that short list is scored in
Python by matching.scoring.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Least
from django.urls import NoReverseMatch, reverse

from core.fiscal import fiscal_year_range
from core.models import Area, Department, Theme
from groups.models import Group, GroupMembership, GroupStatus
from matching import scoring
from matching.models import (
    Business,
    BusinessStatus,
    Match,
    MatchStatus,
    MatchStatusChange,
    Need,
    Offer,
    PartyKind,
    PartyRef,
)

# How many parties of each kind the theme/district pre-ranking keeps, and how many fitting
# offers or needs are considered. Both are far above the number of suggestions shown.
THEME_CANDIDATES_PER_KIND = 60
FULFIL_CANDIDATES = 300
SUGGESTIONS_SHOWN = 20

# --- Parties -------------------------------------------------------------------------------------


def eligible_party_q(model) -> Q:
    """Parties that may be suggested: registered groups, approved businesses, departments in use."""
    if model is Group:
        return Q(status=GroupStatus.APPROVED)
    if model is Business:
        return Q(status=BusinessStatus.APPROVED)
    return Q(is_active=True)


def eligible_owner_q() -> Q:
    """Needs and offers whose party may be suggested."""
    return (
        Q(group__status=GroupStatus.APPROVED)
        | Q(business__status=BusinessStatus.APPROVED)
        | Q(department__is_active=True)
    )


def party_is_eligible(party) -> bool:
    if isinstance(party, Group):
        return party.status == GroupStatus.APPROVED
    if isinstance(party, Business):
        return party.status == BusinessStatus.APPROVED
    return bool(party.is_active)


def party_url(party) -> str | None:
    """The party's page, or None while the page does not exist."""
    if isinstance(party, Department):
        return reverse("matching:department_detail", args=[party.pk])
    try:
        return party.get_absolute_url()
    except NoReverseMatch:
        return None


def party_ref_url(ref: PartyRef) -> str | None:
    if ref.kind == PartyKind.DEPARTMENT:
        return reverse("matching:department_detail", args=[ref.id])
    if ref.kind == PartyKind.BUSINESS:
        return reverse("matching:business_detail", args=[ref.id])
    try:
        return reverse("groups:detail", args=[ref.id])
    except NoReverseMatch:
        return None


def user_can_act_for(user, party) -> bool:
    """Group editors, business members and department officials act for their party."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if isinstance(party, Group):
        return GroupMembership.objects.filter(group=party, user=user).exists()
    if isinstance(party, Business):
        return party.members.filter(pk=user.pk).exists()
    if isinstance(party, Department):
        return party.officials.filter(pk=user.pk).exists()
    return False


@dataclass(frozen=True)
class PartyChoice:
    ref: PartyRef
    party: object

    @property
    def label(self) -> str:
        return f"{self.party}（{self.ref.kind_label}）"


def user_parties(user) -> list[PartyChoice]:
    """The parties the user acts for: their groups, businesses and departments (3 queries)."""
    if not getattr(user, "is_authenticated", False):
        return []
    choices = [
        PartyChoice(PartyRef.of(g), g) for g in Group.objects.filter(memberships__user=user).distinct()
    ]
    choices += [PartyChoice(PartyRef.of(b), b) for b in Business.objects.filter(members=user)]
    choices += [
        PartyChoice(PartyRef.of(d), d) for d in Department.objects.filter(officials=user, is_active=True)
    ]
    return choices


# --- Suggestions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionRow:
    suggestion: scoring.Suggestion
    ref: PartyRef
    url: str | None
    match_id: int | None = None
    match_status: str = ""

    @property
    def match_status_label(self) -> str:
        return MatchStatus(self.match_status).label if self.match_status else ""


def _items(rows) -> tuple[scoring.Item, ...]:
    return tuple(
        scoring.Item(id=r["id"], title=r["title"], kind=r["kind"], deliverable=r["deliverable"]) for r in rows
    )


def _names(qs) -> dict[int, str]:
    return {pk: short or name for pk, short, name in qs}


def subject_profile(ref: PartyRef, party=None) -> tuple[object, scoring.Profile]:
    """The party and its profile: themes, districts, open needs and offers (4-5 queries)."""
    party = party or ref.get()
    reverse_name = {
        PartyKind.GROUP: "groups",
        PartyKind.BUSINESS: "businesses",
        PartyKind.DEPARTMENT: "departments",
    }[ref.kind]
    themes = _names(Theme.objects.filter(**{reverse_name: party}).values_list("id", "short_name", "name"))
    areas = {pk: name for pk, name in Area.objects.filter(**{reverse_name: party}).values_list("id", "name")}
    fields = ("id", "title", "kind", "deliverable")
    needs = _items(Need.objects.open().filter(ref.owner_filter()).order_by("id").values(*fields))
    offers = _items(Offer.objects.open().filter(ref.owner_filter()).order_by("id").values(*fields))
    profile = scoring.Profile(
        key=ref.key,
        name=str(party),
        themes=themes,
        areas=areas,
        needs=needs,
        offers=offers,
        eligible=party_is_eligible(party),
    )
    return party, profile


def _fitting_q(items: tuple[scoring.Item, ...]) -> Q:
    """Counterparts that may fit these items: the same kind and, when named, the same deliverable or none."""
    condition = Q()
    for item in items:
        if item.deliverable:
            condition |= Q(kind=item.kind, deliverable__in=[item.deliverable, ""])
        else:
            condition |= Q(kind=item.kind)
    return condition


def _fitting_rows(model, items: tuple[scoring.Item, ...], ref: PartyRef) -> list[dict]:
    """Open offers (or needs) of eligible parties that may fulfil (or be fulfilled by) ``items``."""
    if not items:
        return []
    deliverables = sorted({i.deliverable for i in items if i.deliverable})
    return list(
        model.objects.open()
        .filter(_fitting_q(items))
        .filter(eligible_owner_q())
        .exclude(ref.owner_filter())
        .annotate(
            exact=Case(
                When(deliverable__in=deliverables, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-exact", "-created_at", "-id")
        .values(
            "id",
            "title",
            "kind",
            "deliverable",
            "group_id",
            "business_id",
            "department_id",
            "group__name",
            "business__name",
            "department__name",
        )[:FULFIL_CANDIDATES]
    )


def _owner(row: dict) -> tuple[PartyRef, str]:
    for kind in PartyKind.values:
        if row[f"{kind}_id"]:
            return PartyRef(kind, row[f"{kind}_id"]), row[f"{kind}__name"]
    raise ValueError("row without a party")


PARTY_MODELS = {PartyKind.GROUP: Group, PartyKind.BUSINESS: Business, PartyKind.DEPARTMENT: Department}


def _theme_area_candidates(
    kind: str, theme_ids: list[int], area_ids: list[int], exclude: PartyRef
) -> list[dict]:
    """The parties of one kind sharing the most themes and districts with the subject (one query).

    The database counts the shared themes and districts and keeps the best; the ranking uses the
    same capped points as scoring.prefilter_points, so nobody outside the list could rank higher.
    """
    if not theme_ids and not area_ids:
        return []
    model = PARTY_MODELS[kind]
    themes_through, areas_through = model.themes.through, model.areas.through
    owner = f"{kind}_id"
    sharing = Q()
    annotations = {}
    if theme_ids:
        sharing |= Q(pk__in=themes_through.objects.filter(theme_id__in=theme_ids).values(owner))
        annotations["nt"] = Count("themes", filter=Q(themes__in=theme_ids), distinct=True)
    else:
        annotations["nt"] = Value(0, output_field=IntegerField())
    if area_ids:
        sharing |= Q(pk__in=areas_through.objects.filter(area_id__in=area_ids).values(owner))
        annotations["na"] = Count("areas", filter=Q(areas__in=area_ids), distinct=True)
    else:
        annotations["na"] = Value(0, output_field=IntegerField())
    queryset = model.objects.filter(eligible_party_q(model)).filter(sharing)
    if exclude.kind == kind:
        queryset = queryset.exclude(pk=exclude.id)
    return list(
        queryset.order_by()
        .annotate(**annotations)
        .annotate(
            pre=Least(F("nt"), Value(scoring.THEME_MAX // scoring.THEME_POINTS)) * Value(scoring.THEME_POINTS)
            + Least(F("na"), Value(scoring.AREA_MAX // scoring.AREA_POINTS)) * Value(scoring.AREA_POINTS)
        )
        .order_by("-pre", "pk")
        .values("pk", "name", "pre")[:THEME_CANDIDATES_PER_KIND]
    )


def _shared(kind: str, ids: list[int], theme_ids: list[int], area_ids: list[int]) -> tuple[dict, dict]:
    """Which of the subject's themes and districts each listed party has (two queries)."""
    model = PARTY_MODELS[kind]
    owner = f"{kind}_id"
    themes: dict[int, dict[int, str]] = defaultdict(dict)
    areas: dict[int, dict[int, str]] = defaultdict(dict)
    if ids and theme_ids:
        for owner_id, theme_id in model.themes.through.objects.filter(
            **{f"{owner}__in": ids}, theme_id__in=theme_ids
        ).values_list(owner, "theme_id"):
            themes[owner_id][theme_id] = ""
    if ids and area_ids:
        for owner_id, area_id in model.areas.through.objects.filter(
            **{f"{owner}__in": ids}, area_id__in=area_ids
        ).values_list(owner, "area_id"):
            areas[owner_id][area_id] = ""
    return themes, areas


def suggestions_for(
    ref: PartyRef, *, party=None, limit: int = SUGGESTIONS_SHOWN
) -> tuple[object, list[SuggestionRow]]:
    """Ranked partner suggestions for one party. A fixed number of queries (at most 17)."""
    party, subject = subject_profile(ref, party)
    theme_ids, area_ids = list(subject.themes), list(subject.areas)

    names: dict[PartyRef, str] = {}
    offers_of: dict[PartyRef, list[scoring.Item]] = defaultdict(list)
    needs_of: dict[PartyRef, list[scoring.Item]] = defaultdict(list)
    for row in _fitting_rows(Offer, subject.needs, ref):
        owner, name = _owner(row)
        names[owner] = name
        offers_of[owner].append(_items([row])[0])
    for row in _fitting_rows(Need, subject.offers, ref):
        owner, name = _owner(row)
        names[owner] = name
        needs_of[owner].append(_items([row])[0])
    for kind in PartyKind.values:
        for row in _theme_area_candidates(kind, theme_ids, area_ids, ref):
            names.setdefault(PartyRef(kind, row["pk"]), row["name"])

    candidates = []
    for kind in PartyKind.values:
        ids = [r.id for r in names if r.kind == kind]
        themes, areas = _shared(kind, ids, theme_ids, area_ids)
        for party_id in ids:
            cref = PartyRef(kind, party_id)
            candidates.append(
                scoring.Profile(
                    key=cref.key,
                    name=names[cref],
                    themes=themes.get(party_id, {}),
                    areas=areas.get(party_id, {}),
                    needs=tuple(needs_of.get(cref, ())),
                    offers=tuple(offers_of.get(cref, ())),
                )
            )
    ranked = scoring.rank(subject, candidates, limit=limit)

    latest_match: dict[str, tuple[int, str]] = {}
    for match in (
        Match.objects.involving(ref)
        .order_by("status_changed_at", "id")
        .values(
            "id",
            "status",
            "group_a_id",
            "business_a_id",
            "department_a_id",
            "group_b_id",
            "business_b_id",
            "department_b_id",
        )
    ):
        for side in ("a", "b"):
            for kind in PartyKind.values:
                other = match[f"{kind}_{side}_id"]
                if other and PartyRef(kind, other) != ref:
                    latest_match[PartyRef(kind, other).key] = (match["id"], match["status"])
    rows = []
    for suggestion in ranked:
        cref = PartyRef.parse(suggestion.candidate.key)
        match_id, status = latest_match.get(cref.key, (None, ""))
        rows.append(SuggestionRow(suggestion, cref, party_ref_url(cref), match_id, status))
    return party, rows


def suggestion_between(a: PartyRef, b: PartyRef) -> scoring.Suggestion | None:
    """The score of ``b`` as a partner of ``a`` (what a Match stores when staff create it)."""
    _party_a, subject = subject_profile(a)
    _party_b, candidate = subject_profile(b)
    return scoring.score(subject, candidate)


# --- Needs and offers ----------------------------------------------------------------------------


def item_list(model, *, filters: dict | None = None) -> QuerySet:
    """Open needs (or offers) of eligible parties, newest first, ready for a list page."""
    from matching.filters import ItemFilter

    queryset = (
        model.objects.open()
        .filter(eligible_owner_q())
        .select_related("group", "business", "department")
        .prefetch_related("themes", "areas")
    )
    return ItemFilter(filters or {}, queryset=queryset).qs


def items_of(ref: PartyRef) -> tuple[list[Need], list[Offer]]:
    needs = list(Need.objects.filter(ref.owner_filter()).prefetch_related("themes", "areas"))
    offers = list(Offer.objects.filter(ref.owner_filter()).prefetch_related("themes", "areas"))
    return needs, offers


def items_of_user(user) -> tuple[list[Need], list[Offer]]:
    """Needs and offers of every party the user acts for (2 queries)."""
    condition = Q(group__memberships__user=user) | Q(business__members=user) | Q(department__officials=user)
    needs = list(Need.objects.filter(condition).distinct().select_related("group", "business", "department"))
    offers = list(
        Offer.objects.filter(condition).distinct().select_related("group", "business", "department")
    )
    return needs, offers


# --- Matches -------------------------------------------------------------------------------------


def pipeline(*, fiscal_year: int | None = None, program=None) -> dict[str, list[Match]]:
    """Matches grouped by status for the pipeline view (one query).

    Open matches (提案, 紹介済, 協議中) are always shown; 成立 and 不成立 only when their status changed
    in the fiscal year, so the closed columns do not grow forever.
    """
    queryset = Match.objects.with_parties()
    if program is not None:
        queryset = queryset.filter(program=program)
    if fiscal_year is not None:
        start, end = fiscal_year_range(fiscal_year)
        closed = Q(status__in=[MatchStatus.CONCLUDED, MatchStatus.DECLINED])
        queryset = queryset.filter(
            ~closed | Q(status_changed_at__date__gte=start, status_changed_at__date__lte=end)
        )
    columns: dict[str, list[Match]] = {status: [] for status in MatchStatus.values}
    for match in queryset.order_by("-status_changed_at", "-id"):
        columns[match.status].append(match)
    return columns


def match_detail(pk: int) -> Match:
    return Match.objects.with_parties().select_related("origin_event", "created_by").get(pk=pk)


def match_history(match: Match) -> list[MatchStatusChange]:
    return list(match.history.select_related("changed_by"))


def match_counts(*, program_code: str | None, fiscal_year: int) -> dict[str, int]:
    """提案・紹介・成立 counted in the fiscal year (from the status history; one query).

    A match counts as proposed when it was created in the year, as introduced when it was moved
    to 紹介済 in the year, and as concluded when it was moved to 成立 in the year.
    """
    start, end = fiscal_year_range(fiscal_year)
    start_dt = dt.datetime.combine(start, dt.time.min)
    end_dt = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    from django.utils import timezone

    changes = MatchStatusChange.objects.filter(
        changed_at__gte=timezone.make_aware(start_dt), changed_at__lt=timezone.make_aware(end_dt)
    )
    if program_code:
        changes = changes.filter(match__program__code=program_code)
    counted = dict(
        changes.filter(to_status__in=[MatchStatus.PROPOSED, MatchStatus.INTRODUCED, MatchStatus.CONCLUDED])
        .values_list("to_status")
        .annotate(n=Count("match_id", distinct=True))
        .order_by()
    )
    return {
        status: counted.get(status, 0)
        for status in (MatchStatus.PROPOSED, MatchStatus.INTRODUCED, MatchStatus.CONCLUDED)
    }


def pending_businesses() -> QuerySet:
    return (
        Business.objects.filter(status=BusinessStatus.PENDING)
        .order_by("created_at", "id")
        .prefetch_related("themes", "areas", "members")
    )
