"""The outcome list's keyword finds an episode however its heading and episode are typed (a stored
normalised search_text): widths, kana, ヶ/ケ and synonyms, like the public lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reports.selectors import outcome_records_for_staff
from tests.conftest import frozen_clock
from tests.reports.factories import OutcomeRecordFactory

pytestmark = pytest.mark.django_db

# FY2026 is the year the list shows unless another is chosen.
_frozen_now = frozen_clock(dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def records():
    return {
        "hill": OutcomeRecordFactory(
            fiscal_year=2026, category="西ケ丘の居場所づくり", episode="子どもが放課後に集まるようになった"
        ),
        "kana": OutcomeRecordFactory(
            fiscal_year=2026, category="担い手育成", episode="ぼらんてぃあの登録が増えた"
        ),
        "latin": OutcomeRecordFactory(fiscal_year=2026, category="発信", episode="SNSの発信で参加者が増えた"),
    }


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("西ヶ丘", {"hill"}),  # ヶ/ケ in the heading
        ("こども", {"hill"}),  # 子ども/こども (a built-in synonym) in the episode
        ("ボランティア", {"kana"}),  # katakana finds hiragana
        ("ＳＮＳ", {"latin"}),  # full width finds half width
        ("増えた", {"kana", "latin"}),
        ("存在しない言葉", set()),  # a word that is not there finds nothing, not everything
    ],
)
def test_the_outcome_list_finds_an_episode_in_any_spelling(records, keyword, expected):
    _filterset, rows = outcome_records_for_staff(data={"q": keyword, "year": "2026"})
    assert {record.pk for record in rows} == {records[name].pk for name in expected}


def test_an_edited_episode_is_found_by_its_new_words(records):
    record = records["latin"]
    record.episode = "ﾁﾗｼを配った"
    record.save()
    _filterset, rows = outcome_records_for_staff(data={"q": "チラシ", "year": "2026"})
    assert [row.pk for row in rows] == [record.pk]


def test_the_outcome_page_answers_a_search(client, staff_user, records):
    client.force_login(staff_user)
    html = client.get(reverse("reports:outcome_list"), {"q": "西ヶ丘"}).content.decode()
    assert "西ケ丘の居場所づくり" in html and "担い手育成" not in html
