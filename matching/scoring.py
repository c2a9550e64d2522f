"""How the portal suggests partners (マッチングの提案). Pure functions: no database, no Django.

The selectors (matching.selectors) narrow the candidates in SQL and build the profiles below;
this module decides who comes first and why. The same rules are in the README.

Who can be suggested
--------------------
* Only parties that take part: registered groups (登録; never 下書き, 申請中, 差戻し, 休止 or 退会),
  approved businesses (承認済み) and departments in use. ``Profile.eligible`` is False for the
  others and they are never suggested, whatever they share with the subject.
* Only open needs and offers (募集中 / 受付中) count. A closed one is never named in a reason.
* A party is never suggested to itself.

Points
------
1. 提供がニーズを満たす (an offer fulfils a need), in either direction: the subject's need and
   the candidate's offer, or the candidate's need and the subject's offer.
   An offer fulfils a need when both are of the same kind (人材, プロボノ, 資金, ...) and, when both
   name a pro bono deliverable (チラシ制作, ウェブサイト制作, ...), it is the same one or the
   offer's covers the need's (``DELIVERABLE_PARENTS``: 印刷物制作 covers チラシ制作, ポスター制作
   and パンフレット制作; ウェブサイト制作 covers サイト改修). A narrower offer never fulfils a broader
   need (a flyer designer is not a printer of everything).
   * same kind and the same deliverable ............ 70 points (``EXACT_POINTS``)
   * the offer's deliverable covers the need's ...... 60 points (``BROADER_POINTS``)
   * same kind (deliverable not named on one side) .. 50 points (``KIND_POINTS``)
   * every further fulfilled pair ................... +10, at most +20
   Each need counts once, and so does each of the candidate's items that is the same as another
   of its items (same kind, deliverable and title): a business that posted one offer twice
   scores as if it had posted it once.
   Reason: ``ニーズ「子ども食堂のチラシ制作」↔ 提供「チラシ制作/デザイン」`` (the titles).
2. 共通テーマ: 10 points per shared theme, at most 30. Reason: ``共通テーマ: 子どもの健全育成``
   (several joined with 「、」). The subject's themes are its own and those of its open needs
   and offers (a group asking for help with a children's event scores with children's groups
   even when its profile does not name the theme).
3. 同じ地域: 5 points per shared district, at most 15, the subject's districts counted the same
   way. Reason: ``同じ地域: 本町``.

A party with a score of 0 is not suggested.

Order
-----
Suggestions are ranked by how well an offer fulfils a need (exact deliverable, then a covering
deliverable, then same kind, then none), then by score. So a need is always matched first to
the offer that fulfils it, before any party that merely shares themes and districts; the points
agree with this (at most 30 + 15 = 45 without a fulfilled need, at least 50 with one).

Parties with the same fit and score share a place (同点: 1位, 2位, 2位, 4位). Among them the
order is by reading in あいうえお order (``Profile.reading``, hiragana, so 株式会社… and
かぶしきがいしゃ… sort by how they are read, not by the code points of their kanji), then by who
took part first (``Profile.since``: registration or approval date), then by key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext

EXACT_POINTS = 70
BROADER_POINTS = 60
KIND_POINTS = 50
EXTRA_PAIR_POINTS = 10
EXTRA_PAIR_MAX = 20
THEME_POINTS = 10
THEME_MAX = 30
AREA_POINTS = 5
AREA_MAX = 15
MAX_PAIR_REASONS = 3

# How well an offer fulfils a need.
NONE, SAME_KIND, BROADER, EXACT = 0, 1, 2, 3
FIT_POINTS = {EXACT: EXACT_POINTS, BROADER: BROADER_POINTS, SAME_KIND: KIND_POINTS}

# A deliverable and the narrower ones it covers (ProBonoDeliverable values).
DELIVERABLE_PARENTS: dict[str, tuple[str, ...]] = {
    "printed": ("flyer", "poster", "pamphlet"),
    "website": ("site_renovation",),
}
PARENT_OF: dict[str, str] = {child: parent for parent, kids in DELIVERABLE_PARENTS.items() for child in kids}


def offer_deliverables_for(need_deliverable: str) -> tuple[str, ...]:
    """The offer deliverables that fulfil a need's deliverable: itself and what covers it."""
    parent = PARENT_OF.get(need_deliverable)
    return (need_deliverable, parent) if parent else (need_deliverable,)


def need_deliverables_for(offer_deliverable: str) -> tuple[str, ...]:
    """The need deliverables an offer's deliverable fulfils: itself and what it covers."""
    return (offer_deliverable, *DELIVERABLE_PARENTS.get(offer_deliverable, ()))


@dataclass(frozen=True)
class Item:
    """An open need or offer as scoring sees it."""

    id: int
    title: str
    kind: str
    deliverable: str = ""
    is_open: bool = True


@dataclass(frozen=True)
class Profile:
    """A party as scoring sees it. ``key`` is the PartyRef key ("group-12")."""

    key: str
    name: str
    reading: str = ""  # あいうえお sort key (core.text.reading_sort_key)
    since: str = ""  # ISO date the party was registered or approved ("" sorts last)
    themes: dict[int, str] = field(default_factory=dict)  # id → name
    areas: dict[int, str] = field(default_factory=dict)
    needs: tuple[Item, ...] = ()
    offers: tuple[Item, ...] = ()
    eligible: bool = True


@dataclass(frozen=True)
class Pairing:
    """A need and the offer that fulfils it; ``need_is_subjects`` tells whose need it is."""

    need: Item
    offer: Item
    fit: int
    need_is_subjects: bool

    @property
    def reason(self) -> str:
        return pair_reason(self.need, self.offer)


@dataclass(frozen=True)
class Suggestion:
    candidate: Profile
    score: int
    reasons: tuple[str, ...]
    fit: int
    pairings: tuple[Pairing, ...] = ()
    shared_themes: tuple[str, ...] = ()
    shared_areas: tuple[str, ...] = ()
    place: int = 0  # 1位, 2位 ... set by rank(); equal for 同点
    tied: bool = False

    @property
    def best_pairing(self) -> Pairing | None:
        return self.pairings[0] if self.pairings else None

    @property
    def standing(self) -> tuple[int, int]:
        """What decides the place: suggestions with the same standing are 同点."""
        return (self.fit, self.score)

    @property
    def sort_key(self) -> tuple:
        candidate = self.candidate
        return (
            -self.fit,
            -self.score,
            candidate.reading or candidate.name,
            candidate.since or "~",
            candidate.key,
        )


def fit(need: Item, offer: Item) -> int:
    """How well ``offer`` fulfils ``need``: EXACT, SAME_KIND or NONE."""
    if not (need.is_open and offer.is_open) or need.kind != offer.kind:
        return NONE
    if need.deliverable and offer.deliverable:
        if need.deliverable == offer.deliverable:
            return EXACT
        return BROADER if PARENT_OF.get(need.deliverable) == offer.deliverable else NONE
    return SAME_KIND


def pair_reason(need: Item, offer: Item) -> str:
    return gettext("ニーズ「%(need)s」↔ 提供「%(offer)s」") % {"need": need.title, "offer": offer.title}


def theme_reason(names: Iterable[str]) -> str:
    return gettext("共通テーマ: ") + "、".join(names)


def area_reason(names: Iterable[str]) -> str:
    return gettext("同じ地域: ") + "、".join(names)


def pairings(subject: Profile, candidate: Profile) -> list[Pairing]:
    """Every (need, offer) pair between the two parties where the offer fulfils the need, best first."""
    found = [
        Pairing(need=need, offer=offer, fit=f, need_is_subjects=True)
        for need in subject.needs
        for offer in candidate.offers
        if (f := fit(need, offer))
    ]
    found += [
        Pairing(need=need, offer=offer, fit=f, need_is_subjects=False)
        for need in candidate.needs
        for offer in subject.offers
        if (f := fit(need, offer))
    ]
    # Best fit first; the subject's own needs before the candidate's; then oldest ids (stable).
    found.sort(key=lambda p: (-p.fit, not p.need_is_subjects, p.need.id, p.offer.id))
    # Each need once, and each of the candidate's items once however often it was posted.
    used_needs: set[tuple[bool, int]] = set()
    first_of: dict[tuple, int] = {}  # an item's signature → the id of its first copy
    kept = []
    for pair in found:
        theirs = pair.offer if pair.need_is_subjects else pair.need
        signature = (pair.need_is_subjects, theirs.kind, theirs.deliverable, " ".join(theirs.title.split()))
        if (pair.need_is_subjects, pair.need.id) in used_needs or first_of.get(
            signature, theirs.id
        ) != theirs.id:
            continue
        used_needs.add((pair.need_is_subjects, pair.need.id))
        first_of.setdefault(signature, theirs.id)
        kept.append(pair)
    return kept


def score(subject: Profile, candidate: Profile) -> Suggestion | None:
    """The suggestion of ``candidate`` to ``subject``, or None when it must not be suggested."""
    if not candidate.eligible or candidate.key == subject.key:
        return None
    pairs = pairings(subject, candidate)
    best = pairs[0].fit if pairs else NONE
    points = 0
    reasons: list[str] = []
    if pairs:
        points += FIT_POINTS[best]
        points += min(EXTRA_PAIR_POINTS * (len(pairs) - 1), EXTRA_PAIR_MAX)
        reasons += [p.reason for p in pairs[:MAX_PAIR_REASONS]]
    shared_themes = tuple(name for tid, name in subject.themes.items() if tid in candidate.themes)
    shared_areas = tuple(name for aid, name in subject.areas.items() if aid in candidate.areas)
    if shared_themes:
        points += min(THEME_POINTS * len(shared_themes), THEME_MAX)
        reasons.append(theme_reason(shared_themes))
    if shared_areas:
        points += min(AREA_POINTS * len(shared_areas), AREA_MAX)
        reasons.append(area_reason(shared_areas))
    if points == 0:
        return None
    return Suggestion(
        candidate=candidate,
        score=points,
        reasons=tuple(reasons),
        fit=best,
        pairings=tuple(pairs),
        shared_themes=shared_themes,
        shared_areas=shared_areas,
    )


def rank(subject: Profile, candidates: Iterable[Profile], *, limit: int | None = None) -> list[Suggestion]:
    """Suggestions for ``subject``, best first (see the module docstring for the order)."""
    suggestions = [s for c in candidates if (s := score(subject, c)) is not None]
    suggestions.sort(key=lambda s: s.sort_key)
    placed: list[Suggestion] = []
    for index, suggestion in enumerate(suggestions):
        previous = placed[-1] if placed else None
        same = previous is not None and previous.standing == suggestion.standing
        following = suggestions[index + 1] if index + 1 < len(suggestions) else None
        tied = same or (following is not None and following.standing == suggestion.standing)
        placed.append(replace(suggestion, place=previous.place if same else index + 1, tied=tied))
    return placed[:limit] if limit is not None else placed


def prefilter_points(shared_themes: int, shared_areas: int) -> int:
    """The theme and district part of the score from counts alone (used to narrow candidates in SQL)."""
    return min(THEME_POINTS * shared_themes, THEME_MAX) + min(AREA_POINTS * shared_areas, AREA_MAX)
