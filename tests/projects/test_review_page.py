"""The review (scoring) page's layout and wording: the proposal beside the scoring panel, the
conflict declaration an optional collapsed section after the scores, errors that say what to do."""

from __future__ import annotations

import re

import pytest

from tests.projects.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _page(client, proposal, data=None):
    url = f"/projects/proposals/{proposal.pk}/review/"
    response = client.post(url, data) if data is not None else client.get(url)
    return response, response.content.decode()


def test_proposal_and_scoring_panel_are_two_regions_of_one_layout(client_for, official_user, call, group):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    _response, page = _page(client_for(official_user), proposal)
    layout = page[page.index('class="review-layout"') :]
    proposal_at = layout.index("data-review-proposal")
    panel_at = layout.index("data-review-panel")
    assert proposal_at < panel_at
    # The proposal's 6W2H is inside the proposal region, the scores inside the panel.
    assert proposal_at < layout.index("事業計画（6W2H）") < panel_at
    assert layout.index('name="score_', panel_at) > panel_at


def test_conflict_declaration_is_optional_collapsed_and_after_the_scores(
    client_for, official_user, call, group
):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    _response, page = _page(client_for(official_user), proposal)
    details = re.search(r"<details class=\"conflict-details\"([^>]*)>(.*?)</details>", page, re.S)
    assert details, "the conflict declaration is a <details> section"
    assert "open" not in details.group(1), "collapsed until the reviewer opens it"
    summary = re.search(r"<summary>(.*?)</summary>", details.group(2)).group(1)
    assert "該当する方だけ" in summary and "必須" not in summary
    assert page.index('name="score_') < page.index('class="conflict-details"')
    assert page.index("審査を完了する") < page.index('class="conflict-details"')


def test_finishing_without_scores_names_each_missing_criterion(client_for, official_user, call, group):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criteria = list(proposal.current_stage.criteria.all())
    data = {f"score_{c.pk}": 4 for c in criteria[1:]} | {"comment": "途中の総評", "submit": "1"}
    response, page = _page(client_for(official_user), proposal, data)
    assert response.status_code == 200
    assert f"{criteria[0].name}の評価を選んでください。" in page
    assert "総合所見を選んでください。" in page
    assert "この項目は必須です" not in page and "このフィールド" not in page
    assert "途中の総評" in page, "what was typed is kept"
    assert not proposal.reviews.filter(submitted_at__isnull=False).exists()


def test_a_score_outside_the_scale_is_refused_in_words(client_for, official_user, call, group):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criterion = proposal.current_stage.criteria.first()
    _response, page = _page(client_for(official_user), proposal, {f"score_{criterion.pk}": "9", "save": "1"})
    assert f"{criterion.name}の評価は5〜1の中から選んでください。" in page


def test_declaring_a_conflict_without_a_reason_says_what_to_write(client_for, official_user, call, group):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    client = client_for(official_user)
    response = client.post(
        f"/projects/proposals/{proposal.pk}/conflict/", {"conflict_reason": ""}, follow=True
    )
    assert "利害関係の内容を入力してください" in response.content.decode()
    assert not proposal.reviews.filter(conflict_of_interest=True).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("良い\u202eexe.jpg", "文字の向きを変える制御文字（U+202E）"),
        ("長い" * 10_001, "20000文字以内で入力してください"),
    ],
)
def test_a_criterion_s_comment_that_cannot_be_kept_is_refused_next_to_it(
    client_for, official_user, call, group, typed, message
):
    """A character the comments may not hold, or a comment too long, typed into one criterion's
    comment is said next to that comment (it was said next to 総評, where nothing was wrong), and
    what was typed elsewhere stays."""
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criterion = proposal.current_stage.criteria.first()
    data = {
        f"score_{criterion.pk}": "4",
        f"comment_{criterion.pk}": typed,
        "comment": "総評の下書き",
        "save": "1",
    }
    response, page = _page(client_for(official_user), proposal, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors.get(f"comment_{criterion.pk}", []))
    assert "comment" not in form.errors
    assert "総評の下書き" in page
    assert not proposal.reviews.filter(scores__isnull=False).exists()
