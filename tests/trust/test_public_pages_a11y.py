"""Every public page, checked with axe-core (JIS X 8341-3:2016 AA as WCAG 2.1 AA) and at phone size.

The results are recorded (settings.A11Y_RESULTS_PATH) for the アクセシビリティ方針 page, which
lists the pages tested and the date and results of the last run. Add a public page here when one
is added to the site: tests/trust/test_access_matrix.py lists every URL, and the pages every
visitor may open there (EVERYONE) are the ones that belong in this run.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.trust.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 360
WIDEST_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1)
    .slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
              + (typeof e.className === 'string' && e.className
                 ? '.' + e.className.trim().replace(/ +/g, '.') : ''))"""


def public_pages(world) -> list[tuple[str, str]]:
    """(Japanese page name, path) for every page a visitor can open without signing in."""
    from core.models import Theme

    theme = Theme.objects.order_by("order").first()
    theme_filter = f"theme={theme.pk}&" if theme else ""
    return [
        ("ホーム", reverse("core:home")),
        ("団体をさがす", reverse("groups:index")),
        ("団体をさがす（絞り込みとキーワード）", f"{reverse('groups:index')}?{theme_filter}q=さくら"),
        ("団体のページ", reverse("groups:detail", args=[world.group_a.pk])),
        ("催し・講座（一覧）", reverse("events:index")),
        ("催し・講座（月表示）", f"{reverse('events:index')}?view=month"),
        ("催しのページ", reverse("events:detail", args=[world.event.pk])),
        ("協働事業の一覧", reverse("projects:index")),
        ("協働事業（公開ページ）", reverse("projects:detail", args=[world.project.pk])),
        ("協働事業の提案募集", reverse("projects:call_detail", args=[world.call_a.pk])),
        ("マッチング", reverse("matching:index")),
        ("ニーズの詳細", reverse("matching:need_detail", args=[world.need.pk])),
        ("提供の詳細", reverse("matching:offer_detail", args=[world.offer.pk])),
        ("企業・事業者のプロフィール", reverse("matching:business_detail", args=[world.business.pk])),
        ("担当課のページ", reverse("matching:department_detail", args=[world.own_department.pk])),
        ("アンケート", reverse("events:survey", args=[world.survey_token])),
        ("アクセシビリティ方針", reverse("core:accessibility")),
        ("プライバシーポリシー", reverse("core:privacy")),
        ("ログイン", reverse("account_login")),
        ("利用者登録", reverse("account_signup")),
        ("パスワードの再設定", reverse("account_reset_password")),
    ]


def test_the_list_covers_every_public_html_page_of_the_matrix():
    """Every URL the matrix opens to everyone is either in this run or not an HTML page."""
    from tests.trust.access_matrix import EVERYONE, MATRIX

    not_html = {
        "core:healthz",
        "groups:open_data_csv",
        "groups:open_data_json",
        "events:feed",
        "events:ics",
        "groups:contact",
    }
    covered = {
        "core:home",
        "groups:index",
        "groups:detail",
        "events:index",
        "events:detail",
        "projects:index",
        "projects:detail",
        "projects:call_detail",
        "matching:index",
        "matching:need_detail",
        "matching:offer_detail",
        "matching:business_detail",
        "matching:department_detail",
        "events:survey",
        "core:accessibility",
        "core:privacy",
    }
    public = {name for name, cases in MATRIX.items() if any(case.allowed == EVERYONE for case in cases)}
    assert public - not_html == covered


@pytest.fixture
def demo_world(transactional_db):
    return build_world()


def test_every_public_page_passes_axe(page, assert_accessible, axe_recorder, demo_world):
    """No serious or critical axe violation on any public page (all are checked before failing)."""
    failures = []
    for name, path in public_pages(demo_world):
        response = page.goto(path)
        if response is None or response.status != 200:
            failures.append(f"{name} ({path}) answered {response and response.status}")
            continue
        try:
            assert_accessible(page, name)
        except AssertionError as error:
            failures.append(str(error))
        if name in axe_recorder.pages and "/survey/" in path:
            # The published results show where the page lives, not a signed link of the test data.
            axe_recorder.pages[name]["path"] = reverse("events:survey", args=["TOKEN"]).replace("TOKEN", "…")
    assert not failures, "\n\n".join(failures)


def test_every_public_page_fits_a_small_phone(phone_page, demo_world):
    """At 360 px wide no public page scrolls sideways."""
    too_wide = []
    for name, path in public_pages(demo_world):
        response = phone_page.goto(path)
        if response is None or response.status != 200:
            too_wide.append(f"{name} ({path}) answered {response and response.status}")
            continue
        width = phone_page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            culprits = phone_page.evaluate(WIDEST_ELEMENTS, PHONE_WIDTH)
            too_wide.append(f"{name} ({path}): {width}px wide; widest elements: {culprits}")
    assert not too_wide, "\n".join(too_wide)
