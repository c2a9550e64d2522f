"""Normalising Japanese text so that however a word is typed, it is found and sorted the same.

ＮＰＯ and NPO, ３ and 3, こども and コドモ and ｺﾄﾞﾓ all normalise to the same key.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
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


# 法人格 (legal forms) as people write them → one spelling. Applied after NFKC and lower case,
# so ＮＰＯ/NPO/npo, ㈱/（株）/(株) are already one. Each becomes a word of its own, so that
# 「株式会社山田印刷」 finds 「山田印刷株式会社」 and a name is found without its 法人格.
LEGAL_FORM_SPELLINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("npo法人", ("特定非営利活動法人", "npo法人", "(特非)", "(npo)")),
    ("一般社団法人", ("一般社団法人", "(一社)", "(一般社団)")),
    ("公益社団法人", ("公益社団法人", "(公社)")),
    ("一般財団法人", ("一般財団法人", "(一財)")),
    ("公益財団法人", ("公益財団法人", "(公財)")),
    ("社会福祉法人", ("社会福祉法人", "(福)", "(社福)")),
    ("株式会社", ("株式会社", "(株)")),
    ("有限会社", ("有限会社", "(有)")),
    ("合同会社", ("合同会社", "(同)", "(合)")),
    ("合資会社", ("合資会社", "(資)")),
    ("合名会社", ("合名会社", "(名)")),
    ("医療法人", ("医療法人", "(医)")),
    ("学校法人", ("学校法人", "(学)")),
    ("宗教法人", ("宗教法人", "(宗)")),
)
LEGAL_FORM_WORDS = frozenset(canonical for canonical, _spellings in LEGAL_FORM_SPELLINGS)
_LEGAL_FORM_RE = re.compile(
    "|".join(
        re.escape(spelling)
        for spelling in sorted(
            (s for _c, spellings in LEGAL_FORM_SPELLINGS for s in spellings), key=len, reverse=True
        )
    )
)
_LEGAL_FORM_OF = {s: canonical for canonical, spellings in LEGAL_FORM_SPELLINGS for s in spellings}

_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆"
# ヶ in 西ヶ丘 and 霞ヶ関 is read ga/ka and written ケ, ヵ, カ or が as well: between two kanji
# they are one letter for search. A small ヶ/ヵ anywhere (一ヵ所) is the same as ケ.
_KE_BETWEEN_KANJI_RE = re.compile(f"(?<=[{_KANJI}])[ヶケヵカが](?=[{_KANJI}])")
_SMALL_KE = str.maketrans({"ヶ": "ケ", "ヵ": "ケ", "ゖ": "け", "ゕ": "け"})
# Punctuation that people type or leave out at will: middle dots, long-vowel marks and every
# dash that looks like one, and the usual separators. Removed, so 「ミュージック・センター」,
# 「ミュージックセンタ」 and 「ミュ－ジック センター」 are one key.
_IGNORED_RE = re.compile(r"[・ー\-‐‑‒–—―−~〜～_.,、。!?'\"“”‘’「」『』()\[\]{}【】〈〉《》/:;]")
# Characters that show as nothing but come along in text pasted from web pages and PDFs: the
# zero-width space, joiners, word joiner, byte-order mark and soft hyphen. 「こども\u200b食堂」
# looks like 「こども食堂」 and must be found and stored as it.
_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff")))


def _fold(text: str | None) -> str:
    """NFKC, lower case, 法人格 as separate canonical words, ヶ folded, katakana → hiragana."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).lower()
    folded = _LEGAL_FORM_RE.sub(lambda m: f" {_LEGAL_FORM_OF[m.group(0)]} ", folded)
    folded = _KE_BETWEEN_KANJI_RE.sub("ケ", folded).translate(_SMALL_KE)
    return jaconv.kata2hira(folded)


def normalize_for_search(text: str | None) -> str:
    """The words of a search, each normalised; one space between words.

    Full and half width (NFKC), katakana → hiragana, lower case; 法人格 spellings as one word
    of their own (特定非営利活動法人 = NPO法人 = ＮＰＯ法人 → "npo法人", (株) → "株式会社" …);
    ヶ/ケ/ヵ/カ/が between kanji as one; ・, ー, dashes and similar punctuation dropped.
    Stored columns are made with ``search_document`` so that any word of a query is found
    with ``contains`` whatever spaces either side had.
    """
    words = (_IGNORED_RE.sub("", word) for word in _fold(text).split())
    return " ".join(word for word in words if word)


def search_key(text: str | None) -> str:
    """One text as one key, spaces of both widths ignored: 「NPO法人 みどりの風」 → 'npo法人みどりの風'."""
    return normalize_for_search(text).replace(" ", "")


def search_document(*parts: str | None) -> str:
    """The stored search column of a record: each part as a key, the parts separated by a space.

    A query word (``normalize_for_search(q).split()``) that is in a part is a substring of
    this, so 「NPO法人みどりの風」, 「特定非営利活動法人 みどりの風」 and 「みどりの風」 all find
    a group stored as 「NPO法人　みどりの風」.
    """
    return " ".join(key for key in (search_key(part) for part in parts) if key)


def name_key(name: str | None) -> str:
    """A name without its 法人格 and spaces, for telling whether two records are one group."""
    return "".join(word for word in normalize_for_search(name).split() if word not in LEGAL_FORM_WORDS)


def without_legal_forms(words: Sequence[str]) -> list[str]:
    """The words of a keyword search less any 法人格, unless nothing else is left.

    A caller may say 「NPO法人みどりの風」 for a group whose stored name is 「みどりの風」:
    the other words decide, the 法人格 is left to the legal form filter.
    """
    rest = [word for word in words if word not in LEGAL_FORM_WORDS]
    return rest or list(words)


def query_words(q: str | None) -> list[str]:
    """The words of a keyword search: bounded (search_terms), 法人格 only when alone."""
    return without_legal_forms(search_terms(q).words)


# Everyday words that groups spell in more than one way. Each set is one word for search: a
# query with any of them also searches the others, and the search page says so. These are
# the starting rows of the table core.SearchSynonym, which staff extend in the admin.
DEFAULT_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("子ども", "こども", "子供"),
    ("障害", "障がい", "障碍"),
    ("高齢者", "シニア", "お年寄り"),
    ("ボランティア", "ボランテア"),
    ("まちづくり", "街づくり", "町づくり", "まち作り"),
    ("ひとり親", "一人親", "ひとりおや"),
    ("外国人", "外国籍", "外国ルーツ"),
    ("防災", "災害対策"),
)


@dataclass(frozen=True)
class SearchWord:
    """One word of a query and the spellings searched for it (the word itself first).

    ``used`` names, in the table's own spelling, each synonym found in the word and the others
    searched for it, for the page to say: 「こども」は「子ども」「子供」でも検索しました。"""

    word: str
    variants: tuple[str, ...]
    used: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def synonyms(self) -> tuple[str, ...]:
        return self.variants[1:]


def expand_synonyms(words: Sequence[str], synonym_sets: Sequence[Sequence[str]]) -> list[SearchWord]:
    """Each query word with the spellings of every synonym set it contains.

    ``synonym_sets`` are normalised with ``search_key`` here; a word containing 「こども」
    (however typed: コドモ, ｺﾄﾞﾓ) is searched also with 「子ども」 and 「子供」 in its place.
    At most 12 spellings per word, so a long word cannot multiply into hundreds of conditions.
    """
    budget = SEARCH_MAX_PATTERN_CHARS - sum(len(word) for word in words)
    sets = []
    for variants in synonym_sets:
        shown = [v for v in variants if search_key(v)]
        keys = [search_key(v) for v in shown]
        sets.append((keys, shown))
    expanded = []
    for word in words:
        variants = [word]
        used = []
        for keys, shown in sets:
            for index, spelling in enumerate(keys):
                if spelling in word:
                    others = [k for k in dict.fromkeys(keys) if k != spelling]
                    for other in others:
                        variants.extend(v.replace(spelling, other) for v in list(variants))
                    used.append(
                        (shown[index], tuple(s for k, s in zip(keys, shown, strict=True) if k != spelling))
                    )
                    break
        variants = list(dict.fromkeys(variants))[:12]
        extra = sum(len(v) for v in variants[1:])
        if extra > budget:
            variants, used = [word], []  # bounded: this word as typed only, and the page says no more
        budget -= extra if len(variants) > 1 else 0
        expanded.append(SearchWord(word=word, variants=tuple(variants), used=tuple(used)))
    return expanded


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


# --- Bounding keyword input ---------------------------------------------------------------------
# Every keyword search reads at most this much: a 4 KB keyword of 1,900 one-letter words once
# built 1,900 filters and took 4 s per request. Each kept word becomes one clause of ONE query.
SEARCH_MAX_INPUT = 200  # characters of the raw parameter looked at
SEARCH_MAX_WORDS = 5
SEARCH_MAX_WORD_LENGTH = 30
# A keyword longer than this is no search anybody typed (the box takes SEARCH_MAX_INPUT): it is
# refused with a 400 in Japanese before any list is built (core.middleware.MalformedRequestMiddleware),
# so that requests made to keep the workers busy cost no more than an error page.
SEARCH_REFUSE_INPUT = 300
SEARCH_PARAMETERS = ("q", "group_name")  # the keyword parameters of the lists
# Synonym spellings make one LIKE each: at most this many characters of patterns in one search
# (a 30-character word with two synonyms in it was 12 patterns that no index serves), beyond
# which a word is searched as typed only.
SEARCH_MAX_PATTERN_CHARS = 120


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


def search_terms(q: str | None) -> SearchTerms:
    """The words of a keyword, bounded: at most SEARCH_MAX_WORDS distinct words of at most
    SEARCH_MAX_WORD_LENGTH characters, from the first SEARCH_MAX_INPUT characters; `truncated`
    says whether anything was left out (the page then says so)."""
    if not q:
        return SearchTerms((), False)
    truncated = len(q) > SEARCH_MAX_INPUT
    words: list[str] = []
    for word in normalize_for_search(q[:SEARCH_MAX_INPUT]).split():
        if len(word) > SEARCH_MAX_WORD_LENGTH:
            word, truncated = word[:SEARCH_MAX_WORD_LENGTH], True
        if word in words:
            continue
        if len(words) == SEARCH_MAX_WORDS:
            truncated = True
            break
        words.append(word)
    return SearchTerms(tuple(words), truncated)


# --- Names, addresses and phone numbers as stored (the profile, sign-up, groups) ---------------------

# Hiragana (with ゔ and the iteration marks), the long-vowel mark and single spaces between words.
_PERSON_READING_RE = re.compile(r"^[\u3041-\u3096\u309d\u309eー]+( [\u3041-\u3096\u309d\u309eー]+)*$")

# Full-width letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) and their half-width forms.
_WIDE_LETTERS_AND_DIGITS = str.maketrans(
    {
        chr(code): chr(code - 0xFEE0)
        for first, last in (("０", "９"), ("Ａ", "Ｚ"), ("ａ", "ｚ"))
        for code in range(ord(first), ord(last) + 1)
    }
)
# A dash of any kind between two digits, as in 「本町１－２－３」: the hyphen of 1-2-3.
_DASH_BETWEEN_DIGITS_RE = re.compile(r"(?<=\d)[－ー−‐‑‒–—―](?=\d)")


def tidy_text(value: str | None) -> str:
    """A name or an address as stored, in one spelling however it was typed or pasted: half-width
    katakana in full width (ﾈｯﾄﾜｰｸ → ネットワーク), full-width letters and digits in half width
    (ＮＰＯ法人 → NPO法人, 本町１－２－３ → 本町1-2-3), no spaces at either end and each run of spaces
    one half-width space (「山田　　花子」 → 「山田 花子」), no zero-width characters from a paste.

    The half-width space, as a name in latin letters (Kids Smile) needs it and a Japanese one reads
    well with it, and as the profile's names were already stored with it; search ignores spaces.
    No NFKC: it would also change variant kanji of names (神 → 神), ㈱ and the full-width （）・！
    that Japanese text keeps."""
    text = jaconv.h2z((value or "").translate(_INVISIBLE), kana=True, ascii=False, digit=False)
    text = _DASH_BETWEEN_DIGITS_RE.sub("-", text.translate(_WIDE_LETTERS_AND_DIGITS))
    return " ".join(text.split())


def tidy_fields(instance, names: Iterable[str]) -> None:
    """Tidy the named text fields of a model instance in place (tidy_text), as its clean() does
    for every write path that runs full_clean (the portal's services, imports, the admin)."""
    for name in names:
        setattr(instance, name, tidy_text(getattr(instance, name)))


def person_name(value: str | None) -> str:
    """A person's name as stored: `tidy_text`, so that 「山田　花子」 on a profile and 「山田 花子」 as
    a group's 代表者名 are one name."""
    return tidy_text(value)


def person_reading(value: str | None) -> str:
    """ふりがな as stored: NFKC (half-width ｶﾀｶﾅ → カタカナ), katakana → hiragana, one space
    between words. 「ヤマダ　ハナコ」 → 「やまだ はなこ」. Use `is_person_reading` to check it."""
    folded = jaconv.kata2hira(unicodedata.normalize("NFKC", value or ""))
    return " ".join(folded.split())


def is_person_reading(value: str) -> bool:
    """True for a reading written in kana only (after `person_reading`)."""
    return bool(_PERSON_READING_RE.match(value))


_PHONE_RE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")
# The area code or the local exchange in brackets, as Tokyo numbers are often written:
# 「(03)1234-5678」 and 「03(1234)5678」 (「03（1234）5678」 after NFKC).
_BRACKETED_AREA_RE = re.compile(r"^\((0\d{1,4})\)-?")
_BRACKETED_EXCHANGE_RE = re.compile(r"^(0\d{1,4})-?\((\d{1,4})\)-?")


def phone_number(value: str | None) -> str:
    """A Japanese phone number as stored: half-width digits, hyphens for every dash people type
    and for brackets around the area code or the local exchange, no spaces.
    「０９０ー１２３４ー５６７８」 → '090-1234-5678', 「03（1234）5678」 → '03-1234-5678'.
    Check it with `is_phone_number`."""
    text = unicodedata.normalize("NFKC", value or "")
    text = re.sub(r"[ー−‐‑‒–—―]", "-", text)
    text = _BRACKETED_AREA_RE.sub(r"\1-", re.sub(r"\s+", "", text))
    return _BRACKETED_EXCHANGE_RE.sub(r"\1-\2-", text)


def is_phone_number(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return bool(_PHONE_RE.match(value)) and 10 <= len(digits) <= 11
