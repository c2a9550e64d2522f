"""The score formula: the one place it lives.

Each reviewer scores each criterion of a stage from 1 to 5. A criterion worth `weight` points
gives score / 5 × weight, so a reviewer's points are out of the sum of the weights (100 with the
default rubric of five criteria × 20).

- Weights not split: the proposal's total is the mean of its reviewers' points.
- Weights split between the department and the center (e.g. 50 + 50): the department's
  reviewers' mean share of the maximum is worth `department_share` points and the center's
  `100 - department_share`; the total is their sum, out of 100.

A reviewer who declared a conflict of interest does not score and is left out of the means.
Totals and ranks exist only once every reviewer of the proposal has finished (or declared a
conflict) for that proposal, stage and review round; until then staff see how many have finished.
Only the proposal's current round counts: a resubmission after 差戻し starts a new round.

A side of a split call (worth more than 0 points) whose every reviewer declared a conflict is
*missing*: no total can be formed until staff decide. They either name a substitute reviewer
for that side (who then counts as one of its reviewers) or decide that the remaining side's
average stands: the total is then that side's mean share of the maximum × 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from projects.models import SCORE_MAX, ResolutionChoice, ReviewerSide

TWO_PLACES = Decimal("0.01")


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def review_points(review, weights: dict[int, int]) -> Decimal | None:
    """A submitted review's points (out of the sum of the weights); None when it does not count."""
    if review.conflict_of_interest or review.submitted_at is None:
        return None
    points = Decimal(0)
    for score in review.scores.all():
        weight = weights.get(score.criterion_id)
        if weight is not None:
            points += Decimal(score.score * weight) / SCORE_MAX
    return points


@dataclass
class StageResult:
    proposal: object
    expected: int
    done: int
    total: Decimal | None = None
    department_part: Decimal | None = None
    center_part: Decimal | None = None
    max_points: int = 100
    rank: int | None = None
    reviewer_points: list = field(default_factory=list)  # (review, points) for the detail page
    missing_sides: list = field(default_factory=list)  # sides left without a scoring reviewer
    resolution: object = None  # the SideResolution that made the remaining side's average stand
    substitutions: list = field(default_factory=list)  # SideResolutions that named a substitute
    scored_count: int = 0

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.done >= self.expected

    @property
    def needs_resolution(self) -> bool:
        """A side has no reviewer who can score, and staff have not decided what stands."""
        return bool(self.missing_sides) and self.resolution is None

    @property
    def nobody_scored(self) -> bool:
        """Everyone finished and not one reviewer scored (all declared conflicts)."""
        return self.complete and self.scored_count == 0


def missing_sides(*, call, reviews, reviewer_sides: dict[int, str]) -> list[str]:
    """The sides of a split call, worth points, whose every reviewer declared a conflict (or that
    have no reviewer at all): nobody can score for them."""
    if not call.split_weights:
        return []
    conflicted = {review.reviewer_id for review in reviews if review.conflict_of_interest}
    missing = []
    for side in (ReviewerSide.DEPARTMENT, ReviewerSide.CENTER):
        if not call.share_of(side):
            continue
        able = [uid for uid, s in reviewer_sides.items() if s == side and uid not in conflicted]
        if not able:
            missing.append(side)
    return missing


def stage_result(
    *, proposal, call, criteria, reviews, reviewer_sides: dict[int, str], resolutions=()
) -> StageResult:
    """The weighted total of one proposal at one stage in one review round.

    `reviews` are the proposal's reviews at that stage in that round (with scores prefetched);
    `reviewer_sides` maps every reviewer of the proposal at that stage and round (substitutes
    included) to their side (department or center); `resolutions` are staff's decisions about
    missing sides for that stage and round, oldest first.
    """
    weights = {criterion.id: criterion.weight for criterion in criteria}
    max_weight = sum(weights.values())
    counted = [review for review in reviews if review.reviewer_id in reviewer_sides]
    done = sum(1 for review in counted if review.is_done)
    result = StageResult(proposal=proposal, expected=len(reviewer_sides), done=done)
    result.reviewer_points = [(review, review_points(review, weights)) for review in counted]
    result.scored_count = sum(1 for _review, points in result.reviewer_points if points is not None)
    result.missing_sides = missing_sides(call=call, reviews=counted, reviewer_sides=reviewer_sides)
    result.substitutions = [r for r in resolutions if r.choice == ResolutionChoice.SUBSTITUTE]
    if len(result.missing_sides) == 1:
        standing = [
            r
            for r in resolutions
            if r.choice == ResolutionChoice.REMAINING_SIDE and r.side == result.missing_sides[0]
        ]
        result.resolution = standing[-1] if standing else None
    if call.split_weights:
        result.max_points = 100
    if not result.complete or not max_weight:
        return result
    scored = [
        (reviewer_sides[review.reviewer_id], points)
        for review, points in result.reviewer_points
        if points is not None
    ]
    if not scored:
        return result
    if call.split_weights:
        department = _mean(
            [points / max_weight for side, points in scored if side == ReviewerSide.DEPARTMENT]
        )
        center = _mean([points / max_weight for side, points in scored if side == ReviewerSide.CENTER])
        if result.missing_sides:
            if result.resolution is None:
                return result
            remaining = center if result.missing_sides[0] == ReviewerSide.DEPARTMENT else department
            if remaining is None:
                return result
            result.total = (remaining * 100).quantize(TWO_PLACES, ROUND_HALF_UP)
            return result
        if department is None and call.department_share:
            return result
        if center is None and call.center_share:
            return result
        result.department_part = ((department or 0) * call.department_share).quantize(
            TWO_PLACES, ROUND_HALF_UP
        )
        result.center_part = ((center or 0) * call.center_share).quantize(TWO_PLACES, ROUND_HALF_UP)
        result.total = result.department_part + result.center_part
    else:
        result.max_points = max_weight
        result.total = _mean([points for _side, points in scored]).quantize(TWO_PLACES, ROUND_HALF_UP)
    return result


def rank_results(results: list[StageResult]) -> list[StageResult]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4). Incomplete ones last, unranked."""
    ranked = sorted((r for r in results if r.total is not None), key=lambda r: r.total, reverse=True)
    previous_total, previous_rank = None, 0
    for position, result in enumerate(ranked, start=1):
        result.rank = previous_rank if result.total == previous_total else position
        previous_total, previous_rank = result.total, result.rank
    unranked = [r for r in results if r.total is None]
    return ranked + unranked
