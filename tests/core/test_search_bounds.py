"""Keyword input is bounded (core.text.search_terms) and every list builds one query for it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.search import keyword_search
from core.text import (
    SEARCH_MAX_WORD_LENGTH,
    SEARCH_MAX_WORDS,
    SEARCH_REFUSE_INPUT,
    expand_synonyms,
    search_terms,
)

# 4 KB of one-letter words: what once built 2,000 filters and took 4 s per request.
HUGE = " ".join("あいうえおかきくけこ"[i % 10] + str(i) for i in range(1300))[:4096]
# The longest keyword a list still searches (cut to its first words): about 100 words.
LONG = HUGE[:SEARCH_REFUSE_INPUT]

LISTS = [
    ("groups:index", "q", 1, False),
    ("events:index", "q", 1, False),
    ("projects:index", "q", 2, False),  # search_text and the lead group's name_key
    ("matching:index", "q", 1, False),
    ("consultations:index", "q", 1, True),
    ("consultations:index", "group_name", 1, True),
    ("consultations:search", "q", 2, True),  # groups: by name or reading
    # Both sides' group name_key, business and department search_text; the need's and offer's.
    ("matching:pipeline", "q", 8, True),
    ("projects:support_logs", "q", 2, True),  # the record's search_text and its project's
    ("reports:outcome_list", "q", 1, True),
]


def test_search_terms_keeps_at_most_n_distinct_words_of_m_characters():
    terms = search_terms("ＮＰＯ  こども コドモ " + "長" * 50)
    assert terms.words == ("npo", "こども", "長" * SEARCH_MAX_WORD_LENGTH)
    assert terms.truncated and "キーワードが長いため" in terms.notice
    many = search_terms(HUGE)
    assert len(many.words) == SEARCH_MAX_WORDS and many.truncated
    assert search_terms("子ども 食堂") == search_terms("子ども 食堂  ")
    assert not search_terms("子ども 食堂").truncated and search_terms("子ども 食堂").notice == ""
    assert search_terms(None).words == ()


def like_clauses(queries) -> int:
    """The largest number of LIKE clauses in one statement of the request."""
    return max((len(re.findall(r"\bLIKE\b", q["sql"])) for q in queries), default=0)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "param", "lookups", "as_staff"), LISTS)
def test_a_long_keyword_builds_one_bounded_query(client, staff_user, url, param, lookups, as_staff):
    """Whatever the keyword, no statement has more than N words × the lookups per word."""
    if as_staff:
        client.force_login(staff_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(url), {param: LONG})
    assert response.status_code == 200
    assert like_clauses(ctx.captured_queries) == SEARCH_MAX_WORDS * lookups


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "param", "lookups", "as_staff"), LISTS)
def test_a_4kb_keyword_is_refused_before_any_list_is_built(client, staff_user, url, param, lookups, as_staff):
    """Longer than anybody types (the abuse soak sends them by the thousand): a 400 that says so
    in Japanese, and no search at all."""
    if as_staff:
        client.force_login(staff_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(url), {param: HUGE})
    assert response.status_code == 400
    assert "キーワードが長すぎます（200文字まで）" in response.content.decode()
    assert like_clauses(ctx.captured_queries) == 0


@pytest.mark.django_db
def test_the_page_says_when_the_keyword_was_cut(client):
    body = client.get(reverse("groups:index"), {"q": LONG}).content.decode()
    assert "キーワードが長いため、最初の5語" in body
    body = client.get(reverse("groups:index"), {"q": "こども食堂"}).content.decode()
    assert "キーワードが長いため" not in body


def test_synonyms_of_a_long_word_are_bounded():
    """A word with synonyms in it makes one pattern per spelling: a long one is searched as typed."""
    sets = [("子ども", "こども", "子供"), ("まちづくり", "街づくり", "町づくり", "まち作り")]
    short = expand_synonyms(["こども食堂"], sets)[0]
    assert set(short.variants) == {"こども食堂", "子ども食堂", "子供食堂"} and short.used
    word = ("子どもまちづくり環境" * 3)[:SEARCH_MAX_WORD_LENGTH]
    long = expand_synonyms([word], sets)[0]
    assert long.variants == (word,) and long.used == ()


@pytest.mark.django_db
def test_a_short_keyword_still_uses_its_synonyms():
    assert len(keyword_search("こども").words[0].variants) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "param", "as_staff"),
    [
        ("groups:index", "q", False),
        ("events:index", "q", False),
        ("matching:index", "q", False),
        ("consultations:index", "q", True),
        ("consultations:index", "group_name", True),
        ("matching:pipeline", "q", True),
        ("projects:support_logs", "q", True),
        ("reports:outcome_list", "q", True),
    ],
)
def test_a_keyword_of_punctuation_only_is_an_error_not_every_row(client, staff_user, url, param, as_staff):
    """「_」 normalises to no word at all: the list says so (400), instead of every row under the
    heading of a search for 「_」. (A list on raw columns searches the characters themselves.)"""
    if as_staff:
        client.force_login(staff_user)
    response = client.get(reverse(url), {param: "_・"})
    assert response.status_code == 400
    assert "記号だけでは検索できません" in response.content.decode()
