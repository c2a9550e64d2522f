"""In Chromium: the review page puts the scoring panel beside the proposal at 1280 px (the panel
stays in view while the proposal scrolls) and under it at 360 px; the conflict declaration is a
collapsed section after the scores; a missing score is named in the error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import signed_in_context
from tests.projects.factories import ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review_page(chromium_browser, live_server, official_user, call, group):
    """review_page(viewport) → (proposal, page): the official on the review page of a proposal
    under review, in a window of that size."""
    contexts = []

    def open_review(viewport):
        proposal = ProposalFactory(call=call, group=group, under_review=True)
        context, page = signed_in_context(chromium_browser, live_server, official_user, viewport=viewport)
        contexts.append(context)
        page.goto(f"/projects/proposals/{proposal.pk}/review/")
        return proposal, page

    yield open_review
    for context in contexts:
        context.close()


def boxes(page):
    return (
        page.locator("[data-review-proposal]").bounding_box(),
        page.locator("[data-review-panel]").bounding_box(),
    )


def test_panel_beside_the_proposal_at_1280_and_sticky(review_page, assert_accessible):
    proposal, page = review_page({"width": 1280, "height": 800})
    proposal_box, panel_box = boxes(page)
    assert panel_box["x"] >= proposal_box["x"] + proposal_box["width"], "the panel is to the right"
    assert abs(panel_box["y"] - proposal_box["y"]) < 5, "both start at the same height"
    assert panel_box["width"] >= 280
    expect(page.locator("details.conflict-details")).not_to_have_attribute("open", "")
    page.screenshot(path="/tmp/review-1280.png")
    assert_accessible(page, "審査（採点）1280px")

    # Scrolled down into the proposal (which is taller than the window), the panel is still on screen.
    assert proposal_box["height"] > 900, proposal_box
    page.evaluate("window.scrollTo(0, document.querySelector('[data-review-proposal]').offsetTop + 300)")
    panel_top = page.locator("[data-review-panel]").evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= panel_top < 100, panel_top
    page.screenshot(path="/tmp/review-1280-scrolled.png")
    page.evaluate("window.scrollTo(0, 0)")

    # Finishing with one score missing names that criterion and keeps the rest.
    criteria = list(proposal.current_stage.criteria.all())
    for criterion in criteria[1:]:
        page.locator(f"input[name='score_{criterion.pk}'][value='4']").check()
    page.get_by_label("総評").fill("地域の課題がよく捉えられています。")
    page.get_by_role("button", name="審査を完了する").click()
    expect(page.locator(".error-summary")).to_contain_text(f"{criteria[0].name}の評価を選んでください。")
    expect(page.get_by_label("総評")).to_have_value("地域の課題がよく捉えられています。")
    page.screenshot(path="/tmp/review-1280-errors.png")
    assert_accessible(page, "審査（採点・入力の誤り）1280px")


def test_panel_under_the_proposal_at_360(review_page, assert_accessible):
    _, page = review_page({"width": 360, "height": 740})
    proposal_box, panel_box = boxes(page)
    assert panel_box["y"] >= proposal_box["y"] + proposal_box["height"], "the panel comes after the proposal"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_text("利害関係がある場合（該当する方だけ）").click()
    expect(page.locator("details.conflict-details")).to_have_attribute("open", "")
    page.screenshot(path="/tmp/review-360.png", full_page=True)
    assert_accessible(page, "審査（採点）360px")
