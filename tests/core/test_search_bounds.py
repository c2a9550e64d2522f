"""Keyword input is bounded (core.text.search_terms) and every list builds one query for it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.text import SEARCH_MAX_WORD_LENGTH, SEARCH_MAX_WORDS, search_terms

# 4 KB of one-letter words: what once built 2,000 filters and took 4 s per request.
HUGE = " ".join("あいうえおかきくけこ"[i % 10] + str(i) for i in range(1300))[:4096]


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
@pytest.mark.parametrize(
    ("url", "param", "lookups", "as_staff"),
    [
        ("groups:index", "q", 1, False),
        ("events:index", "q", 2, False),
        ("projects:index", "q", 3, False),
        ("matching:index", "q", 2, False),
        ("consultations:index", "q", 1, True),
        ("consultations:index", "group_name", 1, True),
        ("consultations:search", "q", 1, True),
    ],
)
def test_a_4kb_keyword_builds_one_bounded_query(client, staff_user, url, param, lookups, as_staff):
    """Whatever the keyword, no statement has more than N words × the lookups per word."""
    if as_staff:
        client.force_login(staff_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(url), {param: HUGE})
    assert response.status_code == 200
    assert like_clauses(ctx.captured_queries) == SEARCH_MAX_WORDS * lookups


@pytest.mark.django_db
def test_the_page_says_when_the_keyword_was_cut(client):
    body = client.get(reverse("groups:index"), {"q": HUGE}).content.decode()
    assert "キーワードが長いため、最初の5語" in body
    body = client.get(reverse("groups:index"), {"q": "こども食堂"}).content.decode()
    assert "キーワードが長いため" not in body
