"""Normalising Japanese text so that however a word is typed, it is found and sorted the same.

ＮＰＯ and NPO, ３ and 3, こども and コドモ and ｺﾄﾞﾓ all normalise to the same key.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import jaconv
from django.utils.translation import gettext as _

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


# --- Bounding keyword input (trust, issue 21) ----------------------------------------------------
# Every keyword search reads at most this much: a 4 KB keyword of 1,900 one-letter words once
# built 1,900 filters and took 4 s per request. Each kept word becomes one clause of ONE query.
SEARCH_MAX_INPUT = 200  # characters of the raw parameter looked at
SEARCH_MAX_WORDS = 5
SEARCH_MAX_WORD_LENGTH = 30


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]
    truncated: bool

    @property
    def notice(self) -> str:
        if not self.truncated:
            return ""
        return _("キーワードが長いため、最初の%(words)s語（1語%(chars)s文字まで）で検索しました。") % {
            "words": SEARCH_MAX_WORDS,
            "chars": SEARCH_MAX_WORD_LENGTH,
        }


def search_terms(q: str | None, *, normalize: Callable[[str], str] = normalize_for_search) -> SearchTerms:
    """The words of a keyword, bounded: at most SEARCH_MAX_WORDS distinct words of at most
    SEARCH_MAX_WORD_LENGTH characters, from the first SEARCH_MAX_INPUT characters; `truncated`
    says whether anything was left out (the page then says so)."""
    if not q:
        return SearchTerms((), False)
    truncated = len(q) > SEARCH_MAX_INPUT
    words: list[str] = []
    for word in normalize(q[:SEARCH_MAX_INPUT]).split():
        if len(word) > SEARCH_MAX_WORD_LENGTH:
            word, truncated = word[:SEARCH_MAX_WORD_LENGTH], True
        if word in words:
            continue
        if len(words) == SEARCH_MAX_WORDS:
            truncated = True
            break
        words.append(word)
    return SearchTerms(tuple(words), truncated)
