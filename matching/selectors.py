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
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from core.filters import valid_or_empty
from core.fiscal import fiscal_year_range
from core.models import Area, Department, Theme
from core.pagecache import versions
from core.text import reading_sort_key
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

if TYPE_CHECKING:
    from matching.filters import ItemFilter

# How many parties of each kind the theme/district pre-ranking keeps, and how many fitting
# offers or needs are considered. Both are above the number of suggestions shown: a party that
# only shares themes and districts scores exactly its pre-ranking points, so the best shown are
# among the best SUGGESTIONS_SHOWN + a few of each kind.
THEME_CANDIDATES_PER_KIND = 25
# Parties ranked on the theme/area link tables before those not taking part are dropped: with at
# least 1 in 5 of them taking part, the best THEME_CANDIDATES_PER_KIND are among them.
PRE_RANKED_PER_KIND = 5 * THEME_CANDIDATES_PER_KIND
# How long a theme/district pre-ranking is reused (see _theme_area_candidates).
CANDIDATES_CACHE_SECONDS = 300
# Whole suggestion lists are kept per version of what they are made of (core/pagecache.py: the
# themes, districts and departments, the groups, and everything of matching, matches included).
SUGGESTIONS_CACHE_SCOPES = ("core", "groups", "matching")
SUGGESTIONS_CACHE_SECONDS = 300
FULFIL_CANDIDATES = 300
SUGGESTIONS_SHOWN = 20

# --- Parties -------------------------------------------------------------------------------------


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


PARTY_PAGES = {
    PartyKind.GROUP: "groups:detail",
    PartyKind.BUSINESS: "matching:business_detail",
    PartyKind.DEPARTMENT: "matching:department_detail",
}
# A number no real id has, reversed in place of the id(s) and then replaced: one reverse() per
# URL pattern and request instead of one per row (a page lists 20 parties, each with 2 links).
_ID_SLOT = "987654321"


class UrlsById:
    """URLs of one pattern for many ids, from a single reverse()."""

    def __init__(self) -> None:
        self._patterns: dict[tuple, str | None] = {}

    def url(self, name: str, *args) -> str | None:
        key = (name, len(args))
        if key not in self._patterns:
            try:
                self._patterns[key] = reverse(name, args=[f"{_ID_SLOT}{i}" for i in range(len(args))])
            except NoReverseMatch:
                self._patterns[key] = None
        pattern = self._patterns[key]
        if pattern is None:
            return None
        for i, arg in enumerate(args):
            pattern = pattern.replace(f"{_ID_SLOT}{i}", str(arg), 1)
        return pattern


def party_ref_url(ref: PartyRef, urls: UrlsById | None = None) -> str | None:
    return (urls or UrlsById()).url(PARTY_PAGES[ref.kind], ref.id)


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
    introduce_url: str | None = None

    @property
    def match_status_label(self) -> str:
        return MatchStatus(self.match_status).label if self.match_status else ""

    @property
    def match_in_progress(self) -> bool:
        return bool(self.match_status) and self.match_status not in (
            MatchStatus.CONCLUDED,
            MatchStatus.DECLINED,
        )


def _items(rows) -> tuple[scoring.Item, ...]:
    return tuple(
        scoring.Item(id=r["id"], title=r["title"], kind=r["kind"], deliverable=r["deliverable"]) for r in rows
    )


def _as_scoring_item(item: Need | Offer) -> scoring.Item:
    return scoring.Item(id=item.id, title=item.title, kind=item.kind, deliverable=item.deliverable)


def subject_profile(ref: PartyRef, party=None) -> tuple[object, scoring.Profile]:
    """The party and its profile: themes, districts, open needs and offers (2 queries; 3 with the party)."""
    party = party or ref.get()
    # Themes and districts in one query, open needs and offers in another.
    themes: dict[int, str] = {}
    areas: dict[int, str] = {}
    # The party's own, and those of its open needs and offers (scored with the party's). Each
    # comes from its link table by id: one OR over three joined relations made PostgreSQL join
    # every theme with every group's and item's links (170 ms at bench scale).
    owner = {f"{ref.kind}_id": ref.id, "is_open": True}
    open_need_ids = Need.objects.filter(**owner).values("pk")
    open_offer_ids = Offer.objects.filter(**owner).values("pk")

    def mine(field: str) -> Q:
        party_links = getattr(type(party), field).through.objects.filter(
            **{f"{type(party)._meta.model_name}_id": party.pk}
        )
        column = f"{field[:-1]}_id"  # themes → theme_id, areas → area_id
        return (
            Q(id__in=party_links.values(column))
            | Q(id__in=getattr(Need, field).through.objects.filter(need__in=open_need_ids).values(column))
            | Q(id__in=getattr(Offer, field).through.objects.filter(offer__in=open_offer_ids).values(column))
        )

    tags = (
        Theme.objects.filter(mine("themes"))
        .order_by()
        .values_list(Value(0, output_field=IntegerField()), "id", "short_name", "name")
        .union(
            Area.objects.filter(mine("areas"))
            .order_by()
            .values_list(Value(1, output_field=IntegerField()), "id", "name", "name"),
        )
    )
    for is_area, pk, short, name in sorted(tags, key=lambda r: (r[0], r[1])):
        (areas if is_area else themes)[pk] = short or name
    open_needs, open_offers = open_items_of(ref)
    needs = tuple(_as_scoring_item(n) for n in sorted(open_needs, key=lambda n: n.id))
    offers = tuple(_as_scoring_item(o) for o in sorted(open_offers, key=lambda o: o.id))
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


def _fitting_q(items: tuple[scoring.Item, ...], *, items_are_needs: bool) -> Q:
    """Counterparts that may fit these items: the same kind and, when named, a deliverable that
    fits (scoring.offer_deliverables_for / need_deliverables_for) or none."""
    condition = Q()
    for item in items:
        if item.deliverable:
            fitting = (
                scoring.offer_deliverables_for(item.deliverable)
                if items_are_needs
                else scoring.need_deliverables_for(item.deliverable)
            )
            condition |= Q(kind=item.kind, deliverable__in=[*fitting, ""])
        else:
            condition |= Q(kind=item.kind)
    return condition


def _fitting_rows(model, items: tuple[scoring.Item, ...], ref: PartyRef) -> list[dict]:
    """Open offers (or needs) that may fulfil (or be fulfilled by) ``items``, the very deliverable first.

    Whether their party takes part is checked afterwards by primary key (``_candidate_details``):
    joining the party tables here made PostgreSQL scan every group.
    """
    if not items:
        return []
    deliverables = sorted({i.deliverable for i in items if i.deliverable})
    queryset = (
        model.objects.open()
        .filter(_fitting_q(items, items_are_needs=model is Offer))
        .exclude(ref.owner_filter())
    )
    order = ["-created_at", "-id"]
    if deliverables:
        # The very deliverable first (a constant CASE would be read as a column number by PostgreSQL).
        queryset = queryset.annotate(
            exact=Case(
                When(deliverable__in=deliverables, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        order.insert(0, "-exact")
    return list(
        queryset.order_by(*order).values(
            "id",
            "title",
            "kind",
            "deliverable",
            "group_id",
            "business_id",
            "department_id",
        )[:FULFIL_CANDIDATES]
    )


def _owner(row: dict) -> PartyRef:
    for kind in PartyKind.values:
        if row[f"{kind}_id"]:
            return PartyRef(kind, row[f"{kind}_id"])
    raise ValueError("row without a party")


def _candidate_details(
    refs, theme_ids: list[int], area_ids: list[int]
) -> tuple[dict[PartyRef, str], dict[PartyRef, tuple[set, set]]]:
    """For the listed parties, in one query by primary key: the names of those that take part,
    and which of the subject's themes and districts each has.

    Rows are (kind, id, what, tag, name): what 2 is a name row, 0 a shared theme, 1 a shared
    district.
    """
    names: dict[PartyRef, tuple[str, str, str]] = {}  # name, reading, since
    shared: dict[PartyRef, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    parts, params = [], []
    for kind in PartyKind.values:
        ids = sorted({r.id for r in refs if r.kind == kind})
        if not ids:
            continue
        t = _party_tables(kind)
        column, value = t["eligible"]
        parts.append(
            f"SELECT %s, id, 2, 0, name, {t['reading']}, CAST({t['since']} AS TEXT) FROM {t['party']} "
            f"WHERE id IN ({_id_list(ids)}) AND {column} = %s"
        )
        params += [kind, value]
        for table, tag_column, wanted, what in (
            ("themes", "theme_id", theme_ids, 0),
            ("areas", "area_id", area_ids, 1),
        ):
            if wanted:
                parts.append(
                    f"SELECT %s, {t['owner']}, {what}, {tag_column}, '', '', '' FROM {t[table]} "
                    f"WHERE {t['owner']} IN ({_id_list(ids)}) "
                    f"AND {tag_column} IN ({_id_list(wanted)})"
                )
                params += [kind]
    if not parts:
        return names, shared
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, pk, what, tag, name, reading, since in cursor.fetchall():
            if what == 2:
                names[PartyRef(kind, pk)] = (
                    name,
                    reading_sort_key(reading) or reading_sort_key(name),
                    since or "",
                )
            else:
                shared[PartyRef(kind, pk)][what].add(tag)
    return names, shared


PARTY_MODELS = {PartyKind.GROUP: Group, PartyKind.BUSINESS: Business, PartyKind.DEPARTMENT: Department}


# The party tables and their theme/area link tables, and what makes a party eligible.
def _party_tables(kind: str) -> dict:
    model = PARTY_MODELS[kind]
    if model is Group:
        eligible = ("status", GroupStatus.APPROVED)
    elif model is Business:
        eligible = ("status", BusinessStatus.APPROVED)
    else:
        eligible = ("is_active", True)
    # あいうえお reading and the date a party began to take part, for the order of 同点.
    reading, since = {
        Group: ("sort_key", "registered_on"),
        Business: ("sort_key", "approved_at"),
    }.get(model, ("name_kana", "NULL"))
    return {
        "party": model._meta.db_table,
        "reading": reading,
        "since": since,
        "themes": model.themes.through._meta.db_table,
        "areas": model.areas.through._meta.db_table,
        "owner": f"{kind}_id",
        "eligible": eligible,
    }


def _id_list(values) -> str:
    """Primary keys written into the SQL, each forced to an int (so nothing else can get in).

    Hundreds of %s placeholders cost more to bind than the query takes to run (psycopg splits
    the query text at each of them on every call)."""
    return ", ".join(str(int(value)) for value in values)


def _theme_area_candidates(theme_ids: list[int], area_ids: list[int]) -> list[tuple[str, int]]:
    """The parties of each kind sharing the most themes and districts (one query; cached).

    The database counts the shared themes and districts on the link tables (no party is loaded
    or scored in Python), ranks them by the same capped points as scoring.prefilter_points, and
    keeps the best THEME_CANDIDATES_PER_KIND of each kind that take part (looked up among the
    best PRE_RANKED_PER_KIND), so nobody left out could rank higher unless more than four in
    five of the best-sharing parties of a kind were not taking part.

    The ranking depends only on the set of themes and districts, which many parties share, so
    it is kept in the cache for CANDIDATES_CACHE_SECONDS, or until a party, its themes or districts
    change (the versions of SUGGESTIONS_CACHE_SCOPES are in the key). Whether each party still
    takes part is checked again on every ranking (``_candidate_details``).

    Rows: (kind, party id). Plain SQL because the ORM cannot aggregate over a UNION; it runs on
    SQLite and PostgreSQL alike.
    """
    if not theme_ids and not area_ids:
        return []
    key = "matching:candidates:v2:{}:{}:{}".format(
        versions(SUGGESTIONS_CACHE_SCOPES),
        ",".join(map(str, sorted(theme_ids))),
        ",".join(map(str, sorted(area_ids))),
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    theme_cap = scoring.THEME_MAX // scoring.THEME_POINTS
    area_cap = scoring.AREA_MAX // scoring.AREA_POINTS
    pre_points = (
        f"(CASE WHEN SUM(s.nt) > {theme_cap} THEN {theme_cap} ELSE SUM(s.nt) END) * {scoring.THEME_POINTS}"
        f" + (CASE WHEN SUM(s.na) > {area_cap} THEN {area_cap} ELSE SUM(s.na) END) * {scoring.AREA_POINTS}"
    )
    parts, params = [], []
    for kind in PartyKind.values:
        t = _party_tables(kind)
        links = []
        if theme_ids:
            links.append(
                f"SELECT {t['owner']} AS owner_id, 1 AS nt, 0 AS na FROM {t['themes']} "
                f"WHERE theme_id IN ({_id_list(theme_ids)})"
            )
        if area_ids:
            links.append(
                f"SELECT {t['owner']} AS owner_id, 0 AS nt, 1 AS na FROM {t['areas']} "
                f"WHERE area_id IN ({_id_list(area_ids)})"
            )
        column, value = t["eligible"]
        # Rank on the link tables alone (small), keep the best few hundred, and only then read
        # those parties' rows (by primary key) to drop the ones not taking part. One more than
        # needed: the subject itself may be among them.
        parts.append(
            f"SELECT * FROM (SELECT %s AS kind, agg.owner_id FROM ("
            f"SELECT s.owner_id, {pre_points} AS pre FROM ({' UNION ALL '.join(links)}) s "
            f"GROUP BY s.owner_id ORDER BY pre DESC, s.owner_id LIMIT {int(PRE_RANKED_PER_KIND)}) agg "
            f"INNER JOIN {t['party']} p ON p.id = agg.owner_id "
            f"WHERE p.{column} = %s "
            f"ORDER BY agg.pre DESC, agg.owner_id "
            f"LIMIT {int(THEME_CANDIDATES_PER_KIND) + 1}) AS {kind}_candidates"
        )
        params += [kind, value]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = [(kind, owner_id) for kind, owner_id in cursor.fetchall()]
    cache.set(key, rows, CANDIDATES_CACHE_SECONDS)
    return rows


def suggestions_for(
    ref: PartyRef, *, party=None, limit: int = SUGGESTIONS_SHOWN
) -> tuple[object, list[SuggestionRow]]:
    """Ranked partner suggestions for one party. A fixed number of queries (at most 8)."""
    party, subject = subject_profile(ref, party)
    theme_ids, area_ids = list(subject.themes), list(subject.areas)

    offers_of: dict[PartyRef, list[scoring.Item]] = defaultdict(list)
    needs_of: dict[PartyRef, list[scoring.Item]] = defaultdict(list)
    for row in _fitting_rows(Offer, subject.needs, ref):
        offers_of[_owner(row)].append(_items([row])[0])
    for row in _fitting_rows(Need, subject.offers, ref):
        needs_of[_owner(row)].append(_items([row])[0])
    sharing = [PartyRef(kind, pk) for kind, pk in _theme_area_candidates(theme_ids, area_ids)]
    # Which candidates take part (checked now, for every one), their names and what they share.
    names, shared = _candidate_details(
        [r for r in [*offers_of, *needs_of, *sharing] if r != ref], theme_ids, area_ids
    )
    candidates = [
        scoring.Profile(
            key=cref.key,
            name=name,
            reading=reading,
            since=since,
            themes=dict.fromkeys(shared[cref][0], ""),
            areas=dict.fromkeys(shared[cref][1], ""),
            needs=tuple(needs_of.get(cref, ())),
            offers=tuple(offers_of.get(cref, ())),
        )
        for cref, (name, reading, since) in names.items()
    ]
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
    urls = UrlsById()
    for suggestion in ranked:
        cref = PartyRef.parse(suggestion.candidate.key)
        match_id, status = latest_match.get(cref.key, (None, ""))
        rows.append(
            SuggestionRow(
                suggestion,
                cref,
                party_ref_url(cref, urls),
                match_id,
                status,
                introduce_url=urls.url("matching:introduce", ref.key, cref.key),
            )
        )
    return party, rows


def cached_suggestions_for(
    ref: PartyRef, *, party=None, limit: int = SUGGESTIONS_SHOWN
) -> tuple[object, list[SuggestionRow]]:
    """suggestions_for, kept in the cache until a theme, district, department, group, business,
    need, offer or match is saved or deleted (their versions are in the key), or for
    SUGGESTIONS_CACHE_SECONDS: staff open the same party's suggestions again and again, and
    ranking them costs 6 queries and scoring a few hundred candidates."""
    # The versions are read first: a change made while ranking leaves this entry behind.
    scopes = versions(SUGGESTIONS_CACHE_SCOPES)
    key = f"matching:suggestions:v1:{scopes}:{get_language()}:{ref.key}:{int(limit)}"
    rows = cache.get(key)
    if rows is not None:
        return party or ref.get(), rows
    party, rows = suggestions_for(ref, party=party, limit=limit)
    cache.set(key, rows, SUGGESTIONS_CACHE_SECONDS)
    return party, rows


def suggestion_between(a: PartyRef, b: PartyRef) -> scoring.Suggestion | None:
    """The score of ``b`` as a partner of ``a`` (what a Match stores when staff create it)."""
    _party_a, subject = subject_profile(a)
    _party_b, candidate = subject_profile(b)
    return scoring.score(subject, candidate)


# --- Needs and offers ----------------------------------------------------------------------------


def item_filter(model, *, data) -> ItemFilter:
    """Open needs (or offers) of parties taking part, newest first, filtered by ``data`` (the query string).

    The FilterSet is returned so that the page can render its form; ``.qs`` is the list.
    """
    from matching.filters import ItemFilter

    queryset = (
        model.objects.open()
        .filter(eligible_owner_q())
        .select_related("group", "business", "department")
        # Only what the list shows: the parties' rows are wide, and sorting them was most of the cost.
        .only(
            "title", "kind", "deliverable", "created_at", "group__name", "business__name", "department__name"
        )
        .prefetch_related("themes", "areas")
    )
    filterset = ItemFilter(data or None, queryset=queryset)
    valid_or_empty(filterset)
    return filterset


def items_of(ref: PartyRef) -> tuple[list[Need], list[Offer]]:
    needs = list(Need.objects.filter(ref.owner_filter()))
    offers = list(Offer.objects.filter(ref.owner_filter()))
    return needs, offers


def open_items_of(ref: PartyRef) -> tuple[list[Need], list[Offer]]:
    """The party's open needs and offers, newest first (one query)."""
    fields = ("id", "title", "kind", "deliverable", "created_at")
    rows = (
        Need.objects.open()
        .filter(ref.owner_filter())
        .order_by()
        .values_list(Value(0, output_field=IntegerField()), *fields)
        .union(
            Offer.objects.open()
            .filter(ref.owner_filter())
            .order_by()
            .values_list(Value(1, output_field=IntegerField()), *fields),
            all=True,
        )
    )
    needs, offers = [], []
    for is_offer, pk, title, kind, deliverable, created_at in sorted(rows, key=lambda r: r[5], reverse=True):
        model = Offer if is_offer else Need
        item = model(id=pk, title=title, kind=kind, deliverable=deliverable, created_at=created_at)
        (offers if is_offer else needs).append(item)
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


def in_pipeline_year(queryset, fiscal_year: int):
    """Open matches (提案, 紹介済, 協議中) always; 成立 and 不成立 only when their status changed in the
    fiscal year, so the closed columns do not grow forever."""
    start, end = fiscal_year_range(fiscal_year)
    closed = Q(status__in=[MatchStatus.CONCLUDED, MatchStatus.DECLINED])
    return queryset.filter(~closed | Q(status_changed_at__date__gte=start, status_changed_at__date__lte=end))


def pipeline(*, data=None):
    """The pipeline's conditions (matching.filters.PipelineFilter) and its matches grouped by
    status (one query); invalid conditions give no match, never every one."""
    from core.filters import valid_or_empty
    from matching.filters import PipelineFilter

    filterset = PipelineFilter(data=data, queryset=Match.objects.with_parties())
    valid_or_empty(filterset)
    columns: dict[str, list[Match]] = {status: [] for status in MatchStatus.values}
    for match in filterset.qs.order_by("-status_changed_at", "-id"):
        columns[match.status].append(match)
    return filterset, columns


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


def matches_by_department(*, fiscal_year: int) -> dict[int, int]:
    """Matches with a department as one party whose status changed in the fiscal year (the same
    window as match_counts): department id → count."""
    from django.utils import timezone

    start, end = fiscal_year_range(fiscal_year)
    changed = MatchStatusChange.objects.filter(
        changed_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        changed_at__lt=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
    ).values("match_id")
    counts: dict[int, int] = {}
    for side in ("department_a", "department_b"):
        for department_id, n in (
            Match.objects.filter(pk__in=changed, **{f"{side}__isnull": False})
            .values_list(side)
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[department_id] = counts.get(department_id, 0) + n
    return counts


def person_matches(user) -> list[tuple[Match, str]]:
    """Matches of the groups and businesses a person acts for (a person's staff page), newest
    first, each with the party through which the person is involved."""
    group_ids = set(GroupMembership.objects.filter(user=user).values_list("group_id", flat=True))
    business_ids = set(Business.objects.filter(members=user).values_list("pk", flat=True))
    if not (group_ids or business_ids):
        return []
    matches = (
        Match.objects.filter(
            Q(group_a__in=group_ids)
            | Q(group_b__in=group_ids)
            | Q(business_a__in=business_ids)
            | Q(business_b__in=business_ids)
        )
        .with_parties()
        .order_by("-created_at", "-pk")
    )
    rows = []
    for match in matches:
        via = next(
            party
            for party, mine in (
                (match.group_a, match.group_a_id in group_ids),
                (match.business_a, match.business_a_id in business_ids),
                (match.group_b, match.group_b_id in group_ids),
                (match.business_b, match.business_b_id in business_ids),
            )
            if mine
        )
        rows.append((match, str(via)))
    return rows


def origin_event_choices() -> QuerySet:
    """The events a match may name as its origin (きっかけの催し), newest first by their first
    session, each with first_starts_at for its label: one query however many there are."""
    from events.models import Event

    return (
        Event.objects.only("id", "title")
        .annotate(first_starts_at=Min("sessions__starts_at"))
        .order_by(F("first_starts_at").desc(nulls_last=True), "-id")
    )
