import pytest

from core.text import kana_row, normalize_for_search, reading_sort_key


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
