"""Ranking a call's applications from their submitted reviews.

Each review's total is the weighted mean of its criterion scores (weights from the rubric). An
application's score is the weighted mean of its criterion means, which equals the mean of its
review totals. Spread is the population standard deviation of the review totals. With
normalisation, each review total becomes a z-score within its reviewer's reviews of the call,
mapped back onto the scale through the mean and deviation of all review totals, which corrects
lenient and harsh reviewers. Ties go to the higher excellence mean (the rubric's first
criterion), then to the earlier submission.
"""

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean, pstdev

from sqlalchemy import select

from accelerator.applications.enums import ApplicationStatus
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.extensions import db
from accelerator.reviews.assignment import REVIEWABLE
from accelerator.reviews.conflicts import confirmed_conflicts
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, CriterionScore, PublishedRanking, Review

RANKABLE = (
    *REVIEWABLE,
    ApplicationStatus.SELECTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.REJECTED,
)
DISAGREEMENT_THRESHOLD = 1.0  # points of spread between review totals on a 0–5 scale
# Scores that are equal on paper can differ in the last bits of a float (4.1 − 2.1 is
# 1.9999999999999996), so ties and the disagreement threshold compare at this many decimals.
COMPARISON_DECIMALS = 9


@dataclass(frozen=True)
class ReviewScores:
    application_id: int
    reviewer_id: int
    scores: dict[int, float]  # criterion_id: score


@dataclass(frozen=True)
class RankedApplication:
    rank: int
    application: Application
    score: float | None
    criterion_means: dict[int, float]
    submitted: int
    expected: int
    spread: float | None
    disagreement: bool
    # Submitted reviews left out of every score and count: a conflict of interest between
    # the reviewer and the application was found after they were submitted.
    excluded: int = 0

    @property
    def missing_reviews(self) -> int:
        return max(0, self.expected - self.submitted)


def review_total(scores: dict[int, float], weights: dict[int, int]) -> float:
    total_weight = sum(weights[criterion] for criterion in scores)
    return sum(weights[criterion] * score for criterion, score in scores.items()) / total_weight


def normalised_totals(reviews: list[ReviewScores], weights: dict[int, int]) -> dict[int, float]:
    """Review totals (keyed by position in `reviews`) corrected for each reviewer's leniency."""
    totals = [review_total(review.scores, weights) for review in reviews]
    if len(totals) < 2:
        return dict(enumerate(totals))
    overall_mean, overall_spread = fmean(totals), pstdev(totals)
    by_reviewer = defaultdict(list)
    for index, review in enumerate(reviews):
        by_reviewer[review.reviewer_id].append(index)
    corrected = {}
    for indexes in by_reviewer.values():
        own = [totals[index] for index in indexes]
        own_mean, own_spread = fmean(own), pstdev(own)
        for index in indexes:
            z = (totals[index] - own_mean) / own_spread if own_spread else 0.0
            corrected[index] = overall_mean + z * overall_spread
    return corrected


def rank(
    applications: list[Application],
    reviews: list[ReviewScores],
    *,
    weights: dict[int, int],
    excellence_criterion: int | None,
    expected: int,
    normalise: bool,
    excluded: dict[int, int] | None = None,
) -> list[RankedApplication]:
    totals = (
        normalised_totals(reviews, weights)
        if normalise
        else {i: review_total(r.scores, weights) for i, r in enumerate(reviews)}
    )
    per_application = defaultdict(list)
    for index, review in enumerate(reviews):
        per_application[review.application_id].append(index)
    rows = []
    for application in applications:
        indexes = per_application[application.id]
        own_totals = [totals[index] for index in indexes]
        means = {
            criterion: fmean(reviews[i].scores[criterion] for i in indexes)
            for criterion in weights
            if indexes
        }
        spread = pstdev(own_totals) if len(own_totals) >= 2 else None
        rows.append(
            (
                application,
                fmean(own_totals) if own_totals else None,
                means,
                len(indexes),
                spread,
            )
        )

    def order(row):
        application, score, means, _count, _spread = row
        excellence = means.get(excellence_criterion, float("-inf"))
        return (
            score is None,
            -round(score or 0.0, COMPARISON_DECIMALS),
            -round(excellence, COMPARISON_DECIMALS),
            application.submitted_at.timestamp() if application.submitted_at else float("inf"),
            application.id,
        )

    rows.sort(key=order)
    return [
        RankedApplication(
            rank=position,
            application=application,
            score=score,
            criterion_means=means,
            submitted=count,
            expected=expected,
            spread=spread,
            disagreement=spread is not None
            and round(spread, COMPARISON_DECIMALS) >= DISAGREEMENT_THRESHOLD,
            excluded=(excluded or {}).get(application.id, 0),
        )
        for position, (application, score, means, count, spread) in enumerate(rows, start=1)
    ]


def ranking_for_call(call: Call, *, normalise: bool = False) -> list[RankedApplication]:
    """The call's ranking: as published, once the results are out; computed until then."""
    if call.results_published_at is not None:
        published = published_ranking(call, normalise=normalise)
        if published:
            return published
    return live_ranking(call, normalise=normalise)


def published_ranking(call: Call, *, normalise: bool) -> list[RankedApplication]:
    """The ranking recorded at publication, with today's applications, in two queries."""
    recorded = db.session.execute(
        select(PublishedRanking.application_id, PublishedRanking.ranking).where(
            PublishedRanking.call_id == call.id
        )
    ).all()
    applications = {
        application.id: application
        for application in db.session.scalars(
            select(Application).where(Application.id.in_([row[0] for row in recorded]))
        ).unique()
    }
    rows = []
    for application_id, ranking in recorded:
        values = dict(ranking["normalised" if normalise else "raw"])
        values["criterion_means"] = {int(k): v for k, v in values["criterion_means"].items()}
        rows.append(RankedApplication(application=applications[application_id], **values))
    return sorted(rows, key=lambda row: row.rank)


def live_ranking(call: Call, *, normalise: bool = False) -> list[RankedApplication]:
    """The ranking computed from the submitted reviews, in a fixed number of queries, whatever
    the number of reviews.

    A submitted review whose reviewer is now found in conflict with the application counts
    nowhere (neither in the scores, nor in the normalisation, nor in the reviews submitted);
    each row says how many of its reviews were left out.
    """
    criteria = call.criteria
    weights = {criterion.id: criterion.weight for criterion in criteria}
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(RANKABLE))
            .order_by(Application.id)
        ).unique()
    )
    rows = db.session.execute(
        select(
            Assignment.application_id,
            Assignment.reviewer_id,
            Review.id,
            CriterionScore.criterion_id,
            CriterionScore.score,
        )
        .join(Review, Review.assignment_id == Assignment.id)
        .join(CriterionScore, CriterionScore.review_id == Review.id)
        .join(Application, Application.id == Assignment.application_id)
        # Only reviews of the ranked applications: any other review would shift the reviewers'
        # z-scores and the overall scale of the normalised ranking.
        .where(
            Application.call_id == call.id,
            Application.status.in_(RANKABLE),
            Review.status == ReviewStatus.SUBMITTED,
        )
        .order_by(Review.id)
    ).all()
    by_review: dict[int, ReviewScores] = {}
    for application_id, reviewer_id, review_id, criterion_id, score in rows:
        review = by_review.setdefault(review_id, ReviewScores(application_id, reviewer_id, {}))
        if score is not None:
            review.scores[criterion_id] = float(score)
    conflicted = confirmed_conflicts(call.id, sorted({row.reviewer_id for row in rows}))
    excluded: dict[int, int] = defaultdict(int)
    for review in by_review.values():
        if (review.reviewer_id, review.application_id) in conflicted:
            excluded[review.application_id] += 1
    return rank(
        applications,
        [
            review
            for review in by_review.values()
            if set(review.scores) == set(weights)
            and (review.reviewer_id, review.application_id) not in conflicted
        ],
        weights=weights,
        excellence_criterion=criteria[0].id if criteria else None,
        expected=call.reviews_per_application,
        normalise=normalise,
        excluded=excluded,
    )
