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
   name a pro bono deliverable (チラシ制作, ウェブサイト制作, ...), it is the same one.
   * same kind and the same deliverable ............ 70 points (``EXACT_POINTS``)
   * same kind (deliverable not named on one side) .. 50 points (``KIND_POINTS``)
   * every further fulfilled pair ................... +10, at most +20
   Reason: ``ニーズ「子ども食堂のチラシ制作」↔ 提供「チラシ制作/デザイン」`` (the titles).
2. 共通テーマ: 10 points per shared theme, at most 30. Reason: ``共通テーマ: 子どもの健全育成``
   (several joined with 「、」).
3. 同じ地域: 5 points per shared district, at most 15. Reason: ``同じ地域: 本町``.

A party with a score of 0 is not suggested.

Order
-----
Suggestions are ranked by how well an offer fulfils a need (exact deliverable, then same kind,
then none), then by score, then by name. So a need is always matched first to the offer that
fulfils it, before any party that merely shares themes and districts; the points agree with
this (at most 30 + 15 = 45 without a fulfilled need, at least 50 with one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

EXACT_POINTS = 70
KIND_POINTS = 50
EXTRA_PAIR_POINTS = 10
EXTRA_PAIR_MAX = 20
THEME_POINTS = 10
THEME_MAX = 30
AREA_POINTS = 5
AREA_MAX = 15
MAX_PAIR_REASONS = 3

# How well an offer fulfils a need.
NONE, SAME_KIND, EXACT = 0, 1, 2


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

    @property
    def best_pairing(self) -> Pairing | None:
        return self.pairings[0] if self.pairings else None

    @property
    def sort_key(self) -> tuple:
        return (-self.fit, -self.score, self.candidate.name, self.candidate.key)


def fit(need: Item, offer: Item) -> int:
    """How well ``offer`` fulfils ``need``: EXACT, SAME_KIND or NONE."""
    if not (need.is_open and offer.is_open) or need.kind != offer.kind:
        return NONE
    if need.deliverable and offer.deliverable:
        return EXACT if need.deliverable == offer.deliverable else NONE
    return SAME_KIND


def pair_reason(need: Item, offer: Item) -> str:
    return f"ニーズ「{need.title}」↔ 提供「{offer.title}」"


def theme_reason(names: Iterable[str]) -> str:
    return "共通テーマ: " + "、".join(names)


def area_reason(names: Iterable[str]) -> str:
    return "同じ地域: " + "、".join(names)


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
    return found


def score(subject: Profile, candidate: Profile) -> Suggestion | None:
    """The suggestion of ``candidate`` to ``subject``, or None when it must not be suggested."""
    if not candidate.eligible or candidate.key == subject.key:
        return None
    pairs = pairings(subject, candidate)
    best = pairs[0].fit if pairs else NONE
    points = 0
    reasons: list[str] = []
    if pairs:
        points += EXACT_POINTS if best == EXACT else KIND_POINTS
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
    return suggestions[:limit] if limit is not None else suggestions


def prefilter_points(shared_themes: int, shared_areas: int) -> int:
    """The theme and district part of the score from counts alone (used to narrow candidates in SQL)."""
    return min(THEME_POINTS * shared_themes, THEME_MAX) + min(AREA_POINTS * shared_areas, AREA_MAX)
