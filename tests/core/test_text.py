import pytest

from core.text import (
    DEFAULT_SYNONYMS,
    expand_synonyms,
    is_phone_number,
    kana_row,
    name_key,
    normalize_for_search,
    phone_number,
    query_words,
    reading_sort_key,
    search_document,
    tidy_text,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＮＰＯ", "NPO法人みらい"),
        ("npo", "NPO法人みらい"),
        ("３丁目", "3丁目の会"),
        ("コドモ", "こども食堂"),
        ("ｺﾄﾞﾓ", "こども食堂"),
        ("こども", "コドモ広場"),
    ],
)
def test_search_normalisation_finds_japanese_however_it_is_typed(typed, stored):
    """Full/half width, katakana/hiragana and case all fold to the same key."""
    assert normalize_for_search(typed) in normalize_for_search(stored)


def test_normalisation_of_nothing_is_empty():
    assert normalize_for_search(None) == ""


def test_reading_sort_key_orders_in_gojuon():
    """Readings in katakana or hiragana sort together in あいうえお order."""
    readings = ["わかば", "アオバ", "かわべ", "サクラ"]
    assert sorted(readings, key=reading_sort_key) == ["アオバ", "かわべ", "サクラ", "わかば"]


@pytest.mark.parametrize(
    ("reading", "row"),
    [
        ("あおば", "あ"),
        ("ガクドウ", "か"),
        ("ぱんや", "は"),
        ("わかば", "わ"),
        ("NPO", "その他"),
        ("", "その他"),
    ],
)
def test_kana_row(reading, row):
    """Each reading belongs to one row of the kana index (voiced sounds with their row)."""
    assert kana_row(reading) == row


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("NPO法人みどりの風", "NPO法人 みどりの風"),
        ("NPO法人 みどりの風", "NPO法人　みどりの風"),
        ("特定非営利活動法人 みどりの風", "NPO法人 みどりの風"),
        ("ＮＰＯ法人みどりの風", "特定非営利活動法人みどりの風"),
        ("みどりの風", "特定非営利活動法人 みどりの風"),
        ("(一社)まちラボ", "一般社団法人まちラボ"),
        ("社会福祉法人あおぞら会", "(福)あおぞら会"),
        ("株式会社山田印刷", "山田印刷㈱"),
        ("西ヶ丘", "西ケ丘自治会"),
        ("西ケ丘", "西ヶ丘自治会"),
        ("霞ヶ関", "霞が関の会"),
        ("ミュージックセンター", "ミュージック・センター"),
        ("ミュ－ジック", "ミュージック"),
    ],
)
def test_every_word_of_a_query_is_in_the_stored_document(typed, stored):
    """Spaces of both widths, 法人格 spellings (in either position), ヶ/ケ and ・/ー are ignored."""
    document = search_document(stored)
    assert query_words(typed)
    assert all(word in document for word in query_words(typed)), (query_words(typed), document)


def test_different_names_stay_different():
    assert "かわ" not in search_document("山の会")
    assert (
        name_key("NPO法人みどりの風") == name_key("みどりの風") == name_key("特定非営利活動法人 みどりの 風")
    )
    assert name_key("みどりの風") != name_key("みどりの森")


def test_a_legal_form_alone_is_still_a_query():
    assert query_words("株式会社") == ["株式会社"]
    assert query_words("NPO法人 みどり") == ["みどり"]


def test_synonyms_expand_each_word_that_contains_one():
    words = expand_synonyms(query_words("こども食堂 西区"), [("子ども", "こども", "子供")])
    assert words[0].word == "こども食堂"
    assert words[0].synonyms == ("子ども食堂", "子供食堂")
    assert words[1].synonyms == ()
    assert expand_synonyms(query_words("ｺﾄﾞﾓ"), DEFAULT_SYNONYMS)[0].synonyms == ("子ども", "子供")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\u3000ﾐﾗｲ子ども食堂ﾈｯﾄﾜｰｸ\u3000", "ミライ子ども食堂ネットワーク"),
        ("ＮＰＯ法人\u3000\u3000ｳﾞｨﾚｯｼﾞ", "NPO法人 ヴィレッジ"),
        ("山田\u3000花子", "山田 花子"),
        (" 山田  \u3000 花子 ", "山田 花子"),
        ("みらい市本町１－２－３\u3000市民活動プラザ（２Ｆ）", "みらい市本町1-2-3 市民活動プラザ（2F）"),
        ("本町3ー4ー5", "本町3-4-5"),
        ("Kids Smile", "Kids Smile"),
        ("\ufa19田㈱「ネット・ワーク」", "\ufa19田㈱「ネット・ワーク」"),
        (None, ""),
    ],
)
def test_names_and_addresses_are_stored_in_one_spelling(typed, stored):
    """Half-width kana made full width, full-width letters and digits half width, a dash between
    digits a hyphen, spaces trimmed and each run one half-width space; variant kanji, ㈱ and
    Japanese punctuation kept as typed (no NFKC)."""
    assert tidy_text(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("03(1234)5678", "03-1234-5678"),
        ("03（1234）5678", "03-1234-5678"),
        ("０３（１２３４）５６７８", "03-1234-5678"),
        ("(03)1234-5678", "03-1234-5678"),
        ("（03）1234－5678", "03-1234-5678"),
        ("03 (1234) 5678", "03-1234-5678"),
        ("0422(12)3456", "0422-12-3456"),
        ("０９０ー１２３４ー５６７８", "090-1234-5678"),
    ],
)
def test_a_phone_number_with_the_area_code_or_exchange_in_brackets_is_stored_with_hyphens(typed, stored):
    assert phone_number(typed) == stored
    assert is_phone_number(phone_number(typed))


@pytest.mark.parametrize("typed", ["03-123-456", "03(1234)", "03)1234(5678", "(1234)5678", "03(12)(34)5678"])
def test_a_phone_number_of_too_few_digits_or_stray_brackets_is_refused(typed):
    assert not is_phone_number(phone_number(typed))


def test_characters_that_show_as_nothing_are_neither_searched_nor_stored():
    """A zero-width space, joiner, BOM or soft hyphen pasted from a web page or a PDF."""
    for invisible in "\u200b\u200c\u200d\u2060\ufeff\u00ad":
        assert normalize_for_search(f"こども{invisible}食堂") == normalize_for_search("こども食堂")
        assert search_document(f"みどり{invisible}の会") == search_document("みどりの会")
        assert tidy_text(f"{invisible}山田{invisible}　花子") == "山田 花子"
