"""Reviews and the score formula: weighted totals, the 50 + 50 split, conflicts, ranking."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.roles import Role
from core.services import official_assign
from projects import services
from projects.models import Criterion, Review
from projects.selectors import call_ranking, proposal_stage_results
from tests.projects.factories import CallFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def score_all(proposal, reviewer, values, recommendation="adopt"):
    """values: one score per criterion, in criterion order."""
    criteria = list(proposal.current_stage.criteria.all())
    scores = {c.pk: (v, "") for c, v in zip(criteria, values, strict=True)}
    return services.review_save(
        proposal=proposal, reviewer=reviewer, scores=scores, recommendation=recommendation, submit=True
    )


@pytest.fixture
def officials(make_user, department):
    """Two officials of the reviewing department."""
    users = []
    for n in range(2):
        user = make_user(roles=(Role.OFFICIAL,), email=f"reviewer{n}@example.jp")
        official_assign(user=user, department=department)
        users.append(user)
    return users


def test_the_default_rubric_has_five_criteria_worth_100_points(call):
    stage = call.stages.get()
    assert [c.name for c in stage.criteria.all()] == [
        "公益性",
        "協働の必要性・相乗効果",
        "実現可能性",
        "継続性・自立性",
        "地域性",
    ]
    assert sum(c.weight for c in stage.criteria.all()) == 100


def test_weighted_total_is_the_mean_of_reviewers_points(call, group, official_user, reviewer_staff):
    """Score s on a criterion worth w gives s/5 × w. Two reviewers: 100 and 60 points → 80."""
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, official_user, [5, 5, 5, 5, 5])
    score_all(proposal, reviewer_staff, [3, 3, 3, 3, 3])
    [(_stage, result)] = proposal_stage_results(proposal)
    assert result.complete
    assert result.total == Decimal("80.00")
    assert result.max_points == 100


def test_unequal_weights_count(department, reviewer_staff, group):
    """公益性 worth 40 and the rest 15: a 5 on 公益性 and 1 elsewhere gives 40 + 4 × 3 = 52."""
    call = CallFactory(departments=[], staff=[reviewer_staff])
    stage = call.stages.get()
    criteria = list(stage.criteria.all())
    Criterion.objects.filter(pk=criteria[0].pk).update(weight=40)
    Criterion.objects.filter(pk__in=[c.pk for c in criteria[1:]]).update(weight=15)
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, reviewer_staff, [5, 1, 1, 1, 1])
    [(_stage, result)] = proposal_stage_results(proposal)
    assert result.total == Decimal("52.00")


def test_split_weights_give_the_department_and_the_center_50_points_each(
    department, officials, reviewer_staff, group, official_user
):
    """Department reviewers average 90% → 45 points; the center's reviewer 40% → 20 points; total 65."""
    call = CallFactory(split=True, departments=[department], staff=[reviewer_staff])
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, officials[0], [5, 5, 5, 5, 5])  # 100%
    score_all(proposal, officials[1], [4, 4, 4, 4, 4])  # 80%
    # the fixture's official_user is also in the department: they declare a conflict
    services.review_declare_conflict(proposal=proposal, reviewer=official_user, reason="団体の会員のため")
    score_all(proposal, reviewer_staff, [2, 2, 2, 2, 2])  # 40%
    [(_stage, result)] = proposal_stage_results(proposal)
    assert result.department_part == Decimal("45.00")
    assert result.center_part == Decimal("20.00")
    assert result.total == Decimal("65.00")


def test_split_is_not_the_same_as_the_plain_mean(department, officials, reviewer_staff, group, official_user):
    """Without the split, the same scores average over all reviewers: (100 + 80 + 40) / 3 = 73.33."""
    call = CallFactory(departments=[department], staff=[reviewer_staff])
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, officials[0], [5, 5, 5, 5, 5])
    score_all(proposal, officials[1], [4, 4, 4, 4, 4])
    services.review_declare_conflict(proposal=proposal, reviewer=official_user, reason="団体の会員のため")
    score_all(proposal, reviewer_staff, [2, 2, 2, 2, 2])
    [(_stage, result)] = proposal_stage_results(proposal)
    assert result.total == Decimal("73.33")
    assert result.department_part is None


def test_a_declared_conflict_blocks_scoring(call, group, official_user):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    services.review_declare_conflict(proposal=proposal, reviewer=official_user, reason="提案団体の役員")
    with pytest.raises(ValidationError, match="利害関係"):
        score_all(proposal, official_user, [5, 5, 5, 5, 5])
    review = Review.objects.get(proposal=proposal, reviewer=official_user)
    assert review.conflict_of_interest and not review.scores.exists()


def test_a_conflict_declared_after_saving_scores_removes_them(call, group, official_user):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criterion = proposal.current_stage.criteria.first()
    services.review_save(proposal=proposal, reviewer=official_user, scores={criterion.pk: (4, "")})
    services.review_declare_conflict(proposal=proposal, reviewer=official_user, reason="家族が職員")
    assert not Review.objects.get(proposal=proposal).scores.exists()


def test_finishing_a_review_needs_every_criterion_and_a_recommendation(call, group, official_user):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criteria = list(proposal.current_stage.criteria.all())
    with pytest.raises(ValidationError, match="すべての評価項目"):
        services.review_save(
            proposal=proposal,
            reviewer=official_user,
            scores={criteria[0].pk: (4, "")},
            submit=True,
            recommendation="adopt",
        )
    with pytest.raises(ValidationError):
        services.review_save(
            proposal=proposal, reviewer=official_user, scores={c.pk: (4, "") for c in criteria}, submit=True
        )


@pytest.mark.parametrize("value", [0, 6])
def test_scores_are_1_to_5(call, group, official_user, value):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    criterion = proposal.current_stage.criteria.first()
    with pytest.raises(ValidationError):
        services.review_save(proposal=proposal, reviewer=official_user, scores={criterion.pk: (value, "")})


def test_someone_who_is_not_a_reviewer_cannot_score(call, group, outside_official):
    from django.core.exceptions import PermissionDenied

    proposal = ProposalFactory(call=call, group=group, under_review=True)
    with pytest.raises(PermissionDenied):
        score_all(proposal, outside_official, [5, 5, 5, 5, 5])


def test_a_finished_review_cannot_be_changed(call, group, official_user):
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, official_user, [4, 4, 4, 4, 4])
    with pytest.raises(ValidationError, match="完了"):
        score_all(proposal, official_user, [1, 1, 1, 1, 1])


def test_totals_and_ranking_appear_only_when_all_reviewers_have_finished(
    call, group, other_group, official_user, reviewer_staff
):
    first = ProposalFactory(call=call, group=group, under_review=True)
    second = ProposalFactory(call=call, group=other_group, under_review=True)
    stage = call.stages.get()
    score_all(first, official_user, [5, 5, 5, 5, 5])
    score_all(first, reviewer_staff, [5, 5, 5, 5, 5])
    score_all(second, official_user, [3, 3, 3, 3, 3])
    results, all_done = call_ranking(call=call, stage=stage)
    assert not all_done
    assert all(r.rank is None for r in results)
    assert {r.proposal.pk: r.total for r in results}[second.pk] is None
    score_all(second, reviewer_staff, [4, 4, 4, 4, 4])
    results, all_done = call_ranking(call=call, stage=stage)
    assert all_done
    assert [(r.proposal.pk, r.rank, r.total) for r in results] == [
        (first.pk, 1, Decimal("100.00")),
        (second.pk, 2, Decimal("70.00")),
    ]


def test_equal_totals_share_a_rank(call, group, other_group, official_user, reviewer_staff, make_user):
    from tests.projects.factories import ProjectGroupFactory

    third_group = ProjectGroupFactory(owner=make_user())
    proposals = [
        ProposalFactory(call=call, group=g, under_review=True) for g in (group, other_group, third_group)
    ]
    for proposal, value in zip(proposals, [4, 4, 2], strict=True):
        score_all(proposal, official_user, [value] * 5)
        score_all(proposal, reviewer_staff, [value] * 5)
    results, _ = call_ranking(call=call, stage=call.stages.get())
    assert [r.rank for r in results] == [1, 1, 3]


def test_the_staff_ranking_page_shows_the_split_and_the_order(
    department, officials, reviewer_staff, group, other_group, official_user, client_for, staff_user
):
    call = CallFactory(split=True, departments=[department], staff=[reviewer_staff])
    low = ProposalFactory(call=call, group=group, under_review=True, title="低い提案")
    high = ProposalFactory(call=call, group=other_group, under_review=True, title="高い提案")
    for proposal, value in ((low, 2), (high, 5)):
        for reviewer in [*officials, official_user, reviewer_staff]:
            score_all(proposal, reviewer, [value] * 5)
    page = client_for(staff_user).get(f"/projects/staff/calls/{call.pk}/").content.decode()
    ranking = page[page.index("書類審査の順位") :]
    assert ranking.index("高い提案") < ranking.index("低い提案")
    assert "担当課（50点）" in ranking and "センター（50点）" in ranking
    assert "100.00" in ranking and "40.00" in ranking


def test_each_stage_has_its_own_rubric(department, reviewer_staff, group, official_user, staff_user):
    call = CallFactory(stages=["document", "presentation"], departments=[department], staff=[reviewer_staff])
    document, presentation = call.stages.order_by("order")
    Criterion.objects.filter(stage=presentation).delete()
    Criterion.objects.create(stage=presentation, name="発表のわかりやすさ", weight=50, order=1)
    Criterion.objects.create(stage=presentation, name="質疑への応答", weight=50, order=2)
    proposal = ProposalFactory(call=call, group=group, under_review=True)
    score_all(proposal, official_user, [5] * 5)
    score_all(proposal, reviewer_staff, [5] * 5)
    services.proposal_advance_stage(proposal=proposal, by=staff_user)
    proposal.refresh_from_db()
    assert proposal.current_stage == presentation
    score_all(proposal, official_user, [5, 3])
    score_all(proposal, reviewer_staff, [3, 3])
    results = dict(proposal_stage_results(proposal))
    assert results[document].total == Decimal("100.00")
    assert results[presentation].total == Decimal("70.00")  # (50+30 + 30+30) / 2
