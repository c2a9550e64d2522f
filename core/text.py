"""Normalising Japanese text so that however a word is typed, it is found and sorted the same.

ＮＰＯ and NPO, ３ and 3, こども and コドモ and ｺﾄﾞﾓ all normalise to the same key.
"""

import unicodedata

import jaconv

# The rows of the kana table, for あいうえお indexes (あ行, か行, ...).
KANA_ROWS: tuple[tuple[str, str], ...] = (
    ("あ", "あいうえおぁぃぅぇぉゔ"),
    ("か", "かきくけこがぎぐげご"),
    ("さ", "さしすせそざじずぜぞ"),
    ("た", "たちつてとだぢづでどっ"),
    ("な", "なにぬねの"),
    ("は", "はひふへほばびぶべぼぱぴぷぺぽ"),
    ("ま", "まみむめも"),
    ("や", "やゆよゃゅょ"),
    ("ら", "らりるれろ"),
    ("わ", "わをんゎ"),
)


def normalize_for_search(text: str | None) -> str:
    """NFKC (full/half width), katakana → hiragana, lower case, single spaces."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text)
    folded = jaconv.kata2hira(folded)
    return " ".join(folded.lower().split())


def reading_sort_key(reading: str | None) -> str:
    """Key for あいうえお order: the normalised reading without spaces."""
    return normalize_for_search(reading).replace(" ", "")


def kana_row(reading: str | None) -> str:
    """The row a reading belongs to: 'あ', 'か', ..., or 'その他' for latin letters and digits."""
    key = reading_sort_key(reading)
    if not key:
        return "その他"
    first = key[0]
    for row, letters in KANA_ROWS:
        if first in letters:
            return row
    return "その他"
