"""The scoring rules of matching.scoring on hand-made parties (no database)."""

from matching import scoring
from matching.scoring import Item, Profile

FLYER_NEED = Item(1, "チラシ制作", "pro_bono", "flyer")
FLYER_OFFER = Item(2, "チラシ制作/デザイン", "pro_bono", "flyer")
WEBSITE_OFFER = Item(3, "ウェブサイト制作", "pro_bono", "website")
ANY_PRO_BONO_OFFER = Item(4, "なんでもプロボノ", "pro_bono", "")
VENUE_NEED = Item(5, "定例会の会場", "venue", "")
VENUE_OFFER = Item(6, "会議室の貸出", "venue", "")

KODOMO, MACHI, FUKUSHI, KANKYO = 13, 3, 1, 7
HONMACHI, CHUO, TOMACHI = 1, 2, 3


def group(**kwargs) -> Profile:
    defaults = {
        "key": "group-1",
        "name": "みらい子ども食堂",
        "themes": {KODOMO: "子どもの健全育成", MACHI: "まちづくり"},
        "areas": {HONMACHI: "本町"},
        "needs": (FLYER_NEED,),
    }
    return Profile(**{**defaults, **kwargs})


def test_reasons_are_written_in_japanese_in_the_documented_form():
    """A flyer offer with a shared theme and district gives the three kinds of reasons, in order."""
    design = Profile(
        key="business-1",
        name="みらいデザイン工房",
        themes={KODOMO: ""},
        areas={HONMACHI: ""},
        offers=(FLYER_OFFER,),
    )
    suggestion = scoring.score(group(), design)
    assert suggestion.reasons == (
        "ニーズ「チラシ制作」↔ 提供「チラシ制作/デザイン」",
        "共通テーマ: 子どもの健全育成",
        "同じ地域: 本町",
    )
    assert suggestion.score == scoring.EXACT_POINTS + scoring.THEME_POINTS + scoring.AREA_POINTS


def test_a_need_is_matched_first_to_the_offer_that_fulfils_it():
    """The offer that fulfils the need ranks above a party that shares every theme and district."""
    fulfils = Profile(key="business-1", name="デザイン", offers=(FLYER_OFFER,))
    shares_everything = Profile(
        key="business-2",
        name="同じテーマの会社",
        themes={KODOMO: "", MACHI: "", FUKUSHI: "", KANKYO: ""},
        areas={HONMACHI: "", CHUO: "", TOMACHI: ""},
    )
    subject = group(
        themes={KODOMO: "子ども", MACHI: "まち", FUKUSHI: "福祉", KANKYO: "環境"},
        areas={HONMACHI: "本町", CHUO: "中央", TOMACHI: "東町"},
    )
    ranked = scoring.rank(subject, [shares_everything, fulfils])
    assert [s.candidate.key for s in ranked] == ["business-1", "business-2"]
    assert ranked[0].score > ranked[1].score


def test_the_same_deliverable_beats_the_same_kind():
    """The very deliverable ranks above a general pro bono offer; another deliverable does not fit."""
    exact = Profile(key="business-1", name="ん（後の名前）", offers=(FLYER_OFFER,))
    general = Profile(key="business-2", name="あ（先の名前）", offers=(ANY_PRO_BONO_OFFER,))
    other = Profile(key="business-3", name="ウェブの会社", offers=(WEBSITE_OFFER,))
    ranked = scoring.rank(group(themes={}, areas={}), [general, other, exact])
    assert [s.candidate.key for s in ranked] == ["business-1", "business-2"]
    assert ranked[0].fit == scoring.EXACT
    assert ranked[1].fit == scoring.SAME_KIND


def test_the_subjects_offer_fulfilling_a_candidates_need_counts_too():
    """Matching works both ways: a venue offered by the subject fits a candidate's venue need."""
    subject = Profile(key="department-1", name="子ども家庭支援課", offers=(VENUE_OFFER,))
    candidate = Profile(key="group-2", name="子育てサークル", needs=(VENUE_NEED,))
    suggestion = scoring.score(subject, candidate)
    assert suggestion.reasons == ("ニーズ「定例会の会場」↔ 提供「会議室の貸出」",)
    assert suggestion.best_pairing.need_is_subjects is False


def test_closed_needs_and_offers_never_count():
    """A closed offer fulfils nothing and is named in no reason; with nothing shared, no suggestion."""
    closed_offer = Item(2, "チラシ制作/デザイン", "pro_bono", "flyer", is_open=False)
    candidate = Profile(key="business-1", name="デザイン", offers=(closed_offer,))
    assert scoring.score(group(themes={}, areas={}), candidate) is None
    closed_need = Item(1, "チラシ制作", "pro_bono", "flyer", is_open=False)
    subject = group(needs=(closed_need,), themes={}, areas={})
    assert scoring.score(subject, Profile(key="business-1", name="デザイン", offers=(FLYER_OFFER,))) is None


def test_ineligible_parties_and_the_subject_itself_are_never_suggested():
    """Withdrawn groups, unapproved businesses (eligible=False) and the subject itself get no suggestion."""
    withdrawn = Profile(
        key="group-9", name="退会した団体", themes={KODOMO: ""}, offers=(FLYER_OFFER,), eligible=False
    )
    itself = group(offers=(FLYER_OFFER,))
    assert scoring.score(group(), withdrawn) is None
    assert scoring.score(group(), itself) is None
    assert scoring.rank(group(), [withdrawn, itself]) == []


def test_nothing_in_common_means_no_suggestion():
    """A party sharing no theme, district or fitting need/offer is not suggested (score 0)."""
    stranger = Profile(key="business-1", name="無関係", themes={KANKYO: ""}, areas={TOMACHI: ""})
    assert scoring.score(group(areas={}), stranger) is None


def test_theme_and_area_points_are_capped():
    """At most 30 points for themes and 15 for districts, however many are shared."""
    many = {i: f"テーマ{i}" for i in range(1, 8)}
    places = {i: f"地区{i}" for i in range(1, 6)}
    subject = group(themes=many, areas=places, needs=())
    candidate = Profile(key="business-1", name="全部同じ", themes=dict(many), areas=dict(places))
    suggestion = scoring.score(subject, candidate)
    assert suggestion.score == scoring.THEME_MAX + scoring.AREA_MAX
    assert suggestion.reasons[0].startswith("共通テーマ: テーマ1、テーマ2")
    assert scoring.prefilter_points(7, 5) == suggestion.score


def test_several_fulfilled_pairs_add_a_little_each():
    """Each further fulfilled pair adds 10 points, at most 20; at most three pairs are named."""
    needs = tuple(Item(10 + i, f"ニーズ{i}", "pro_bono", "flyer") for i in range(4))
    subject = group(needs=needs, themes={}, areas={})
    candidate = Profile(key="business-1", name="デザイン", offers=(FLYER_OFFER,))
    suggestion = scoring.score(subject, candidate)
    assert suggestion.score == scoring.EXACT_POINTS + scoring.EXTRA_PAIR_MAX
    assert len(suggestion.reasons) == scoring.MAX_PAIR_REASONS


def test_ties_are_broken_by_name_so_the_order_is_stable():
    """Equal fit and score: ordered by name."""
    a = Profile(key="business-2", name="あいう商店", themes={KODOMO: ""})
    b = Profile(key="business-1", name="かきく商店", themes={KODOMO: ""})
    assert [s.candidate.name for s in scoring.rank(group(needs=()), [b, a])] == ["あいう商店", "かきく商店"]


def test_equal_scores_share_a_place_ordered_by_reading_then_seniority():
    """同点: the same place; then あいうえお by reading (kanji names by how they are read), then who
    took part first. Code-point order would put every 株式会社 after every hiragana name."""
    kabu = Profile(
        key="business-3", name="株式会社あおば", reading="あおば", since="2024-04-01", themes={KODOMO: ""}
    )
    late = Profile(
        key="business-4", name="あおば商店", reading="あおば", since="2025-06-01", themes={KODOMO: ""}
    )
    sakura = Profile(
        key="business-1", name="さくら企画", reading="さくらきかく", since="2020-01-01", themes={KODOMO: ""}
    )
    best = Profile(key="business-2", name="わかば", reading="わかば", themes={KODOMO: "", MACHI: ""})
    ranked = scoring.rank(group(needs=()), [sakura, late, best, kabu])
    assert [s.candidate.name for s in ranked] == ["わかば", "株式会社あおば", "あおば商店", "さくら企画"]
    assert [s.place for s in ranked] == [1, 2, 2, 2]
    assert [s.tied for s in ranked] == [False, True, True, True]


def test_a_covering_deliverable_fulfils_a_need_below_an_exact_one():
    """印刷物制作 covers チラシ制作: a printer is suggested for a flyer need, after a flyer designer."""
    printer = Profile(
        key="business-5", name="みどり印刷", offers=(Item(20, "印刷物なんでも", "pro_bono", "printed"),)
    )
    designer = Profile(key="business-6", name="ちらし工房", offers=(FLYER_OFFER,))
    ranked = scoring.rank(group(themes={}, areas={}), [printer, designer])
    assert [(s.candidate.name, s.score) for s in ranked] == [
        ("ちらし工房", scoring.EXACT_POINTS),
        ("みどり印刷", scoring.BROADER_POINTS),
    ]
    # The other way round: a flyer designer does not fulfil a need for all printed matter.
    printed_need = group(needs=(Item(21, "会報の印刷", "pro_bono", "printed"),), themes={}, areas={})
    assert scoring.score(printed_need, designer) is None
    site = group(needs=(Item(22, "サイトの改修", "pro_bono", "site_renovation"),), themes={}, areas={})
    web = Profile(key="business-7", name="ウェブ屋", offers=(WEBSITE_OFFER,))
    assert scoring.score(site, web).fit == scoring.BROADER


def test_one_business_posting_the_same_offer_twice_counts_once():
    twice = Profile(
        key="business-8",
        name="二重登録",
        offers=(Item(30, "チラシ制作", "pro_bono", "flyer"), Item(31, "チラシ制作 ", "pro_bono", "flyer")),
    )
    once = Profile(key="business-9", name="一回登録", offers=(Item(32, "チラシ制作", "pro_bono", "flyer"),))
    needs = (Item(40, "チラシA", "pro_bono", "flyer"), Item(41, "チラシB", "pro_bono", "flyer"))
    subject = group(needs=needs, themes={}, areas={})
    assert scoring.score(subject, twice).score == scoring.score(subject, once).score
    ranked = scoring.rank(subject, [twice, once])
    assert [s.place for s in ranked] == [1, 1]
