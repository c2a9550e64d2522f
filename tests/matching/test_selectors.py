"""Suggestions from the database: ranking, what is never suggested, and a fixed number of queries."""

import pytest

from groups.models import GroupStatus
from matching import selectors
from matching.models import BusinessStatus, ExchangeKind, PartyRef, ProBonoDeliverable
from tests.matching.factories import (
    BusinessFactory,
    DepartmentFactory,
    GroupFactory,
    NeedFactory,
    OfferFactory,
    area,
    theme,
)

pytestmark = pytest.mark.django_db


def names(rows):
    return [row.suggestion.candidate.name for row in rows]


@pytest.fixture
def flyer_need(group):
    return NeedFactory(group=group, title="チラシ制作", deliverable=ProBonoDeliverable.FLYER)


def test_the_business_offering_the_flyer_comes_first(group, flyer_need, design_company, kodomo, honmachi):
    """A group needing a flyer sees the design company offering flyers first, with its reasons."""
    OfferFactory(business=design_company, title="チラシ制作/デザイン", deliverable=ProBonoDeliverable.FLYER)
    # A party sharing more themes and districts but offering nothing that fits.
    BusinessFactory(
        name="同じテーマの会社", themes=[kodomo, theme("まちづくり")], areas=[honmachi, area("中央")]
    )
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert names(rows) == ["みらいデザイン工房", "同じテーマの会社"]
    assert rows[0].suggestion.reasons == (
        "ニーズ「チラシ制作」↔ 提供「チラシ制作/デザイン」",
        "共通テーマ: 子どもの健全育成",
        "同じ地域: 本町",
    )
    assert rows[0].url == f"/matching/businesses/{design_company.pk}/"


@pytest.mark.parametrize(
    "make_candidate",
    [
        pytest.param(lambda: GroupFactory(withdrawn=True), id="withdrawn group"),
        pytest.param(lambda: GroupFactory(paused=True), id="paused group"),
        pytest.param(lambda: GroupFactory(pending=True), id="group waiting for registration"),
        pytest.param(lambda: BusinessFactory(pending=True), id="unapproved business"),
        pytest.param(lambda: BusinessFactory(rejected=True), id="returned business"),
        pytest.param(lambda: BusinessFactory(status=BusinessStatus.INACTIVE), id="inactive business"),
        pytest.param(lambda: DepartmentFactory(is_active=False), id="department not in use"),
    ],
)
def test_parties_not_taking_part_are_never_suggested(make_candidate, group, flyer_need, kodomo, honmachi):
    """Withdrawn, paused or unregistered groups and unapproved businesses never appear."""
    candidate = make_candidate()
    candidate.themes.set([kodomo])
    candidate.areas.set([honmachi])
    owner = {type(candidate).__name__.lower(): candidate}
    OfferFactory(**owner, deliverable=ProBonoDeliverable.FLYER)
    NeedFactory(**owner, kind=ExchangeKind.VENUE, deliverable="")
    OfferFactory(group=group, kind=ExchangeKind.VENUE, deliverable="")
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert rows == []


def test_closed_offers_are_never_suggested(group, flyer_need):
    """A closed flyer offer does not bring its business into the suggestions."""
    stranger = BusinessFactory(name="締め切った会社")
    OfferFactory(business=stranger, deliverable=ProBonoDeliverable.FLYER, closed=True)
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert names(rows) == []


def test_closed_needs_are_never_matched(group, design_company):
    """A closed need fits no offer: the business comes only for the shared theme and district."""
    NeedFactory(group=group, title="チラシ制作", closed=True)
    OfferFactory(business=design_company, deliverable=ProBonoDeliverable.FLYER)
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert rows[0].suggestion.fit == 0
    assert not any(r.startswith("ニーズ") for r in rows[0].suggestion.reasons)


def test_a_party_is_not_suggested_to_itself(group, kodomo):
    """The group's own offer fulfilling its own need does not make it its own partner."""
    NeedFactory(group=group)
    OfferFactory(group=group)
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert PartyRef.of(group) not in [row.ref for row in rows]


def test_departments_are_suggested_by_their_themes(group, kodomo):
    """A department responsible for the group's theme is suggested with 共通テーマ."""
    DepartmentFactory(name="子ども家庭支援課", themes=[kodomo])
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert names(rows) == ["子ども家庭支援課"]
    assert rows[0].suggestion.reasons == ("共通テーマ: 子どもの健全育成",)
    assert rows[0].url.startswith("/matching/departments/")


def test_the_existing_match_is_shown_with_the_suggestion(group, flyer_need, design_company, staff_user):
    """A partner already in a match carries the match's id and state."""
    from matching import services

    OfferFactory(business=design_company, deliverable=ProBonoDeliverable.FLYER)
    match = services.match_create(party_a=group, party_b=design_company, created_by=staff_user)
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert (rows[0].match_id, rows[0].match_status_label) == (match.pk, "提案")


def test_theme_candidates_beyond_the_short_list_cannot_outrank_it(
    group, kodomo, honmachi, settings, monkeypatch
):
    """The SQL pre-ranking keeps the best: with 2 per kind, the two best-sharing businesses remain."""
    # 1 per kind, plus one in case the subject itself is among them: 2 businesses are kept.
    monkeypatch.setattr(selectors, "THEME_CANDIDATES_PER_KIND", 1)
    BusinessFactory(name="テーマだけ1", themes=[kodomo])
    BusinessFactory(name="テーマと地域", themes=[kodomo], areas=[honmachi])
    BusinessFactory(name="地域だけ", areas=[honmachi])
    BusinessFactory(name="テーマと地域2", themes=[kodomo], areas=[honmachi])
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    # 同点: their order is by reading (the factories' readings), not asserted here.
    assert sorted(names(rows)) == ["テーマと地域", "テーマと地域2"]


def populate(n: int, kodomo, honmachi) -> None:
    """n parties of each kind sharing themes and districts, with flyer offers and needs."""
    for _i in range(n):
        business = BusinessFactory(themes=[kodomo], areas=[honmachi])
        OfferFactory(business=business, deliverable=ProBonoDeliverable.FLYER)
        other = GroupFactory(themes=[kodomo], areas=[honmachi])
        NeedFactory(group=other, kind=ExchangeKind.VENUE, deliverable="")
        DepartmentFactory(themes=[kodomo])
    # And some that must be left out.
    GroupFactory(status=GroupStatus.WITHDRAWN, themes=[kodomo])
    BusinessFactory(pending=True, themes=[kodomo])


@pytest.mark.parametrize("size", [2, 12])
def test_suggestions_take_a_fixed_number_of_queries(
    size, group, flyer_need, kodomo, honmachi, django_assert_num_queries
):
    """Suggestions for one party take the same number of queries with few or many parties."""
    OfferFactory(group=group, kind=ExchangeKind.VENUE, deliverable="")
    populate(size, kodomo, honmachi)
    with django_assert_num_queries(7):
        _party, rows = selectors.suggestions_for(PartyRef.of(group), party=group)
    assert len(rows) == min(3 * size, selectors.SUGGESTIONS_SHOWN)


def test_match_counts_come_from_the_history_per_fiscal_year_and_program(group, design_company, staff_user):
    """Proposed, introduced and concluded are counted in the fiscal year of each step, per program."""
    import datetime as dt

    from django.utils import timezone

    from events.models import Program
    from matching import services
    from matching.models import MatchStatus

    def at(y, m, d):
        return timezone.make_aware(dt.datetime(y, m, d, 12))

    networking = Program.objects.get(code="networking")
    match = services.match_create(
        party_a=group,
        party_b=design_company,
        created_by=staff_user,
        program=networking,
        created_at=at(2025, 3, 20),
    )
    services.match_transition(match=match, to_status=MatchStatus.INTRODUCED, by=staff_user, at=at(2025, 4, 2))
    services.match_transition(
        match=match, to_status=MatchStatus.NEGOTIATING, by=staff_user, at=at(2025, 5, 1)
    )
    services.match_transition(match=match, to_status=MatchStatus.CONCLUDED, by=staff_user, at=at(2026, 3, 31))
    assert selectors.match_counts(program_code=None, fiscal_year=2024) == {
        "proposed": 1,
        "introduced": 0,
        "concluded": 0,
    }
    assert selectors.match_counts(program_code=None, fiscal_year=2025) == {
        "proposed": 0,
        "introduced": 1,
        "concluded": 1,
    }
    assert selectors.match_counts(program_code="networking", fiscal_year=2025)["concluded"] == 1
    assert selectors.match_counts(program_code="alp", fiscal_year=2025)["concluded"] == 0


def test_a_cached_ranking_never_brings_back_a_party_that_left(group, kodomo, honmachi):
    """The theme/district ranking is cached, but a business suspended since then is not suggested."""
    from matching.models import Business

    business = BusinessFactory(name="あとで休止", themes=[kodomo], areas=[honmachi])
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert names(rows) == ["あとで休止"]
    Business.objects.filter(pk=business.pk).update(status=BusinessStatus.INACTIVE)
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert rows == []


def test_a_printer_is_suggested_for_a_flyer_need_below_a_flyer_designer(group, flyer_need, design_company):
    """印刷物制作 covers チラシ制作 (found in SQL too), scored below the exact deliverable."""
    OfferFactory(business=design_company, title="チラシ制作/デザイン", deliverable=ProBonoDeliverable.FLYER)
    printer = BusinessFactory(name="あおば印刷", name_kana="あおばいんさつ")
    OfferFactory(business=printer, title="会報・チラシの印刷", deliverable=ProBonoDeliverable.PRINTED)
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert names(rows) == ["みらいデザイン工房", "あおば印刷"]
    assert rows[1].suggestion.reasons[0] == "ニーズ「チラシ制作」↔ 提供「会報・チラシの印刷」"


def test_the_needs_own_themes_and_districts_are_scored(group, kodomo, honmachi):
    """A need's テーマ and 地域 count with the group's own (the group names neither 環境 nor 中央)."""
    kankyo, chuo = theme("環境の保全"), area("中央")
    need = NeedFactory(group=group, title="川の清掃の人手", kind=ExchangeKind.PEOPLE, deliverable="")
    need.themes.add(kankyo)
    need.areas.add(chuo)
    BusinessFactory(name="川辺の会社", name_kana="かわべのかいしゃ", themes=[kankyo], areas=[chuo])
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert names(rows) == ["川辺の会社"]
    assert rows[0].suggestion.reasons == ("共通テーマ: 環境の保全", "同じ地域: 中央")


def test_ties_share_a_place_in_reading_order(group, kodomo):
    """Names in kanji sort by their reading among equals, not after every hiragana name."""
    BusinessFactory(name="株式会社あかね", name_kana="かぶしきがいしゃあかね", themes=[kodomo])
    BusinessFactory(name="いろは商店", name_kana="いろはしょうてん", themes=[kodomo])
    BusinessFactory(name="合同会社えがお", name_kana="ごうどうがいしゃえがお", themes=[kodomo])
    _party, rows = selectors.suggestions_for(PartyRef.of(group))
    assert names(rows) == ["いろは商店", "株式会社あかね", "合同会社えがお"]
    assert {row.suggestion.place for row in rows} == {1} and all(row.suggestion.tied for row in rows)
