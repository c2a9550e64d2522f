"""Every public page, checked with axe-core (JIS X 8341-3:2016 AA as WCAG 2.1 AA) and at phone size.

The results are recorded (settings.A11Y_RESULTS_PATH) for the アクセシビリティ方針 page, which
lists the pages tested and the date and results of the last run. Add a public page here when one
is added to the site: tests/trust/test_access_matrix.py lists every URL, and the pages every
visitor may open there (EVERYONE) are the ones that belong in this run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
from django.urls import reverse

from tests.trust.access_matrix import EVERYONE, MATRIX, pk
from tests.trust.world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 360
WIDEST_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1)
    .slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
              + (typeof e.className === 'string' && e.className
                 ? '.' + e.className.trim().replace(/ +/g, '.') : ''))"""

# Tokens that must never wrap inside a table cell: a run of latin letters and digits with the
# signs numbers, dates and codes use (48,000 / R4-0027 / 2026/04/01 / 10:00; up to 24
# characters: a longer run is a URL or a path, free text), or a Japanese
# word between spaces and punctuation of at most SHORT_WORD characters (未作成, 承認待ち).
SHORT_WORD = 8
WRAPPED_TOKENS = r"""(shortWord) => {
  const longCode = 24;  // longer latin runs are addresses and paths: free text that may wrap
  const found = [];
  const latin = /[0-9A-Za-z¥￥][0-9A-Za-z,.:\/\-%#¥￥]*/g;
  const words = /[^\s、。・／/（）()「」【】:：,，|｜~〜]+/g;
  const wraps = (node, start, length) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + length);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    if (rects.length < 2) return false;
    const tops = rects.map((r) => r.top);
    return Math.max(...tops) - Math.min(...tops) > rects[0].height / 2;
  };
  for (const cell of document.querySelectorAll("main td, main th")) {
    if (cell.closest(".month-calendar") || !cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const parent = node.parentElement;
      if (!parent || parent.closest(".visually-hidden") || !parent.getClientRects().length) continue;
      const text = node.textContent;
      for (const m of text.matchAll(latin)) {
        if (m[0].length > 1 && m[0].length <= longCode && wraps(node, m.index, m[0].length)) {
          found.push(`${m[0]} (${cell.tagName.toLowerCase()})`);
        }
      }
      for (const m of text.matchAll(words)) {
        if (m[0].length > 1 && m[0].length <= shortWord && wraps(node, m.index, m[0].length)) {
          found.push(`${m[0]} (${cell.tagName.toLowerCase()})`);
        }
      }
    }
  }
  return [...new Set(found)].slice(0, 8);
}"""


def phone_layout_problems(page, where: str) -> list[str]:
    """What is wrong with the page at PHONE_WIDTH: it scrolls sideways (the widest elements are
    named), or a table cell wraps inside a number, date, code or short word."""
    problems = []
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        culprits = page.evaluate(WIDEST_ELEMENTS, PHONE_WIDTH)
        problems.append(f"{where}: {width}px wide; widest elements: {culprits}")
    wrapped = page.evaluate(WRAPPED_TOKENS, SHORT_WORD)
    if wrapped:
        problems.append(f"{where}: table cells wrap inside {wrapped}")
    return problems


class Page(NamedTuple):
    name: str  # the Japanese page name the published results list
    url_name: str
    args: Callable[[World], list] = lambda w: []
    query: str = ""


PAGES = [
    Page("ホーム", "core:home"),
    Page("団体をさがす", "groups:index"),
    Page("団体をさがす（絞り込みとキーワード）", "groups:index", query="?legal_form=voluntary&q=さくら"),
    Page("団体のページ", "groups:detail", pk("group_a")),
    Page("催し・講座（一覧）", "events:index"),
    Page("催し・講座（月表示）", "events:index", query="?view=month"),
    Page("催しのページ", "events:detail", pk("event")),
    Page("アンケート", "events:survey", lambda w: [w.survey_token]),
    Page("協働事業の一覧", "projects:index"),
    Page("協働事業（公開ページ）", "projects:detail", pk("project")),
    Page("協働事業の提案募集", "projects:call_detail", pk("call_a")),
    Page("団体の協働事業", "projects:group_projects", pk("group_a")),
    Page("担当課の協働事業", "projects:department_projects", pk("own_department")),
    Page("マッチング", "matching:index"),
    Page("ニーズの詳細", "matching:need_detail", pk("need")),
    Page("提供の詳細", "matching:offer_detail", pk("offer")),
    Page("企業・事業者のプロフィール", "matching:business_detail", pk("business")),
    Page("担当課のページ", "matching:department_detail", pk("own_department")),
    Page("情報・お知らせ", "info:index"),
    Page("助成金・支援制度", "info:grant_list"),
    Page("助成金・支援制度（絞り込み）", "info:grant_list", query="?legal_form=npo&soon=on"),
    Page("締切を過ぎた助成金", "info:grant_archive"),
    Page("チラシの配架", "info:flyer_rack"),
    Page("情報紙", "info:newsletter_index"),
    Page("情報紙の号", "info:newsletter_detail", pk("issue_sent")),
    Page("情報紙のメール配信の申し込み", "info:newsletter_subscribe"),
    Page("情報紙の配信の確定", "info:newsletter_confirm", lambda w: [w.newsletter_confirm_token]),
    Page("情報紙の配信停止", "info:newsletter_unsubscribe", lambda w: [w.newsletter_unsubscribe_token]),
    Page("助成金のページ", "info:grant_detail", pk("grant_own")),
    Page("新着メールの配信停止", "info:unsubscribe", lambda w: [w.unsubscribe_token]),
    Page("活動の場（部屋と機器）", "spaces:index"),
    Page("部屋の空き状況（週表示）", "spaces:week", pk("room")),
    Page("アクセシビリティ方針", "core:accessibility"),
    Page("プライバシーポリシー", "core:privacy"),
    Page("利用規約", "core:terms"),
    Page("サイトマップ", "core:sitemap"),
    Page("ログイン", "account_login"),
    Page("新規登録", "account_signup"),
    Page("パスワードの再設定", "account_reset_password"),
]
# Public URLs that are not HTML pages (or only answer a form's POST).
NOT_HTML = {
    "core:healthz",
    "groups:open_data_csv",
    "groups:open_data_json",
    "events:feed",
    "events:ics",
    "groups:contact",
    "info:feed_grants",
    "info:feed_events",
    "info:flyer_file",
    "info:feed_newsletter",
    "info:flyer_thumbnail",
    "info:feed_groups",
}


def public_pages(world) -> list[tuple[str, str]]:
    """(Japanese page name, path) for every page a visitor can open without signing in."""
    return [(page.name, reverse(page.url_name, args=page.args(world)) + page.query) for page in PAGES]


def opened_public_pages(page, world, problems: list[str]) -> Iterator[tuple[str, str]]:
    """Opens every public page in `page` and yields (Japanese page name, path) of those that answer
    200; a page that answers otherwise is added to `problems`."""
    for name, path in public_pages(world):
        response = page.goto(path)
        if response is None or response.status != 200:
            problems.append(f"{name} ({path}) answered {response and response.status}")
            continue
        yield name, path


def test_the_list_covers_every_public_html_page_of_the_matrix():
    """Every URL the matrix opens to everyone is in this run, unless it is not an HTML page."""
    public = {name for name, cases in MATRIX.items() if any(case.allowed == EVERYONE for case in cases)}
    assert public - NOT_HTML <= {page.url_name for page in PAGES}


@pytest.fixture
def demo_world(transactional_db):
    return build_world()


def test_every_public_page_passes_axe(page, assert_accessible, axe_recorder, demo_world):
    """No serious or critical axe violation on any public page (all are checked before failing)."""
    failures = []
    for name, path in opened_public_pages(page, demo_world, failures):
        try:
            assert_accessible(page, name)
        except AssertionError as error:
            failures.append(str(error))
        if name in axe_recorder.pages and "/survey/" in path:
            # The published results show where the page lives, not a signed link of the test data.
            axe_recorder.pages[name]["path"] = reverse("events:survey", args=["TOKEN"]).replace("TOKEN", "…")
    assert not failures, "\n\n".join(failures)


def test_every_public_page_fits_a_small_phone(phone_page, demo_world):
    """At 360 px wide no public page scrolls sideways, and no table cell wraps inside a number,
    date, code or short word (a wide table scrolls in its own box instead)."""
    too_wide = []
    for name, path in opened_public_pages(phone_page, demo_world, too_wide):
        too_wide.extend(phone_layout_problems(phone_page, f"{name} ({path})"))
    assert not too_wide, "\n".join(too_wide)
