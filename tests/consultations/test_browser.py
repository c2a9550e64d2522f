"""Logging a consultation with the keyboard only, in Chromium, and the pages passing axe."""

from __future__ import annotations

import pytest
from django.utils import timezone

from consultations.models import Consultation
from tests.browser import sign_in_with_form

from .factories import ConsultationFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page) -> str:
    return page.evaluate("() => `${document.activeElement.tagName} ${document.activeElement.name || ''}`")


def test_log_a_consultation_with_the_keyboard(page, staff_user, assert_accessible):
    """Defaults are filled in, focus starts in the client search, search-as-you-type offers the person,
    Tab walks in a sensible order, and Ctrl+Enter saves and opens a fresh form."""
    person = PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ")
    sign_in_with_form(page, staff_user.email)
    page.goto("/consultations/new/")
    assert_accessible(page, "相談の記録")
    assert page.locator("#id_consulted_on").input_value() == timezone.localdate().isoformat()
    assert page.locator("#id_channel_0").is_checked()  # 来所
    assert page.locator("#id_staff").input_value() == str(staff_user.pk)
    assert focused(page) == "INPUT party_q"

    page.keyboard.type("さとう")
    page.wait_for_selector("#party-results input[name=person]")
    page.keyboard.press("Tab")
    assert focused(page) == "INPUT person"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "SUMMARY "  # 新しい相談者 (closed)
    page.keyboard.press("Tab")
    assert focused(page) == "INPUT is_anonymous"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the third topic: 資金調達・助成金
    assert focused(page) == "INPUT topics"
    page.keyboard.press("Space")
    for _ in range(7):
        page.keyboard.press("Tab")
    assert focused(page) == "TEXTAREA question"
    page.keyboard.type("子ども食堂の助成金を探している")
    page.keyboard.press("Tab")
    assert focused(page) == "TEXTAREA answer"
    page.keyboard.type("市の基金を案内した")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".message--success")

    consultation = Consultation.objects.get()
    assert consultation.person == person
    assert consultation.staff == staff_user
    assert consultation.channel == "visit"
    assert consultation.consulted_on == timezone.localdate()
    assert [t.code for t in consultation.topics.all()] == ["funding"]
    assert page.url.endswith("/consultations/new/")


def test_list_detail_and_statistics_pass_axe(page, staff_user, assert_accessible):
    """The list, a record and the statistics page (with its SVG chart) have no serious axe violation."""
    consultation = ConsultationFactory(with_group=True)
    sign_in_with_form(page, staff_user.email)
    page.goto("/consultations/")
    assert page.get_by_role("table").is_visible()
    assert_accessible(page, "相談記録一覧")
    page.goto(f"/consultations/{consultation.pk}/")
    assert_accessible(page, "相談記録の詳細")
    page.goto("/consultations/stats/")
    assert page.locator("svg[role=img]").is_visible()
    assert_accessible(page, "相談の集計")
    page.goto("/consultations/staff/follow-ups/")
    assert_accessible(page, "フォローアップ")


def test_an_official_is_refused_in_the_browser(page, official_user):
    """An official who types the address of a consultation gets the refusal page, not the record."""
    consultation = ConsultationFactory()
    sign_in_with_form(page, official_user.email)
    response = page.goto(f"/consultations/{consultation.pk}/")
    assert response.status == 403
    assert consultation.question not in page.content()


def test_the_record_screen_on_a_phone(phone_page, staff_user, assert_accessible):
    """On a 360 px screen the record screen fits (no sideways scrolling) and passes axe."""
    PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ")
    sign_in_with_form(phone_page, staff_user.email)
    phone_page.goto("/consultations/new/")
    phone_page.fill("input[name=party_q]", "さとう")
    phone_page.wait_for_selector("#party-results input[name=person]")
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    assert_accessible(phone_page, "相談の記録（スマートフォン）")


def test_a_refused_party_search_says_why_in_the_results(page, staff_user):
    """The party search answers 400 to a keyword over its bound; htmx swaps that answer in, so the
    old candidates go and the Japanese message shows where the results were (site.js)."""
    PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ")
    sign_in_with_form(page, staff_user.email)
    page.goto("/consultations/new/")
    box = page.locator("#id_party_q")
    assert box.get_attribute("maxlength") == "300"
    box.type("さとう")
    page.wait_for_selector("#party-results input[name=person]")
    # A script pasting past the box's maxlength, as the browser itself would not.
    box.evaluate(
        """(el) => {
            el.value = "さ".repeat(301);
            el.dispatchEvent(new Event("search", {bubbles: true}));
        }"""
    )
    alert = page.locator("#party-results [role=alert]")
    alert.wait_for()
    assert "300" in alert.inner_text()
    assert "文字" in alert.inner_text()
    assert page.locator("#party-results input[name=person]").count() == 0
