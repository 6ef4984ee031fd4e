"""Ranking math against hand-computed examples: review totals with the rubric's weights, an
application's score and spread, per-reviewer z-score normalisation, and the order of ties.

These tests call the pure functions of accelerator/reviews/ranking.py; applications are
unsaved model instances that carry only what the ranking reads (id and submission time).
"""

import math
from datetime import UTC, datetime, timedelta

import pytest

from accelerator.applications.models import Application
from accelerator.reviews.ranking import ReviewScores, normalised_totals, rank, review_total

# The default rubric (calls/services.py DEFAULT_RUBRIC), keyed by made-up criterion ids.
EXCELLENCE, NEED, TEAM, FIT = 1, 2, 3, 4
WEIGHTS = {EXCELLENCE: 30, NEED: 30, TEAM: 25, FIT: 15}
SUBMITTED = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)


def application(application_id: int, *, submitted_at=SUBMITTED) -> Application:
    return Application(id=application_id, submitted_at=submitted_at)


def scores(excellence, need, team, fit) -> dict[int, float]:
    return {EXCELLENCE: excellence, NEED: need, TEAM: team, FIT: fit}


def uniform(score) -> dict[int, float]:
    """The same score on every criterion: the review's total is that score."""
    return scores(score, score, score, score)


def review(application_id, reviewer_id, criterion_scores) -> ReviewScores:
    return ReviewScores(application_id, reviewer_id, criterion_scores)


def ranked(applications, reviews, *, normalise=False, expected=3):
    return rank(
        applications,
        reviews,
        weights=WEIGHTS,
        excellence_criterion=EXCELLENCE,
        expected=expected,
        normalise=normalise,
    )


def by_id(rows) -> dict:
    return {row.application.id: row for row in rows}


# --- one review ------------------------------------------------------------------------


def test_review_total_is_the_weighted_mean_with_the_default_weights():
    # (30·4 + 30·3 + 25·5 + 15·2) / 100 = (120 + 90 + 125 + 30) / 100 = 3.65
    assert review_total(scores(4, 3, 5, 2), WEIGHTS) == pytest.approx(3.65)


def test_review_total_weighs_each_criterion_by_its_weight():
    # A 5 on one criterion and 0 elsewhere is worth the criterion's weight in hundredths of 5.
    totals = [review_total({**uniform(0), criterion: 5}, WEIGHTS) for criterion in WEIGHTS]

    assert totals == pytest.approx([1.5, 1.5, 1.25, 0.75])


def test_review_total_of_equal_scores_is_that_score():
    assert review_total(uniform(3.5), WEIGHTS) == pytest.approx(3.5)


# --- an application's score and spread -------------------------------------------------


def test_application_score_is_the_mean_of_its_review_totals():
    # Review 1: (30·4 + 30·3 + 25·5 + 15·2) / 100 = 3.65
    # Review 2: (30·5 + 30·4 + 25·3 + 15·1) / 100 = (150 + 120 + 75 + 15) / 100 = 3.60
    # Score: (3.65 + 3.60) / 2 = 3.625
    reviews = [review(1, 10, scores(4, 3, 5, 2)), review(1, 11, scores(5, 4, 3, 1))]

    [row] = ranked([application(1)], reviews)

    assert row.score == pytest.approx(3.625)
    assert (row.submitted, row.expected, row.missing_reviews) == (2, 3, 1)


def test_application_score_is_the_weighted_mean_of_its_criterion_means():
    # Criterion means: excellence (4 + 5) / 2 = 4.5, need (3 + 4) / 2 = 3.5,
    # team (5 + 3) / 2 = 4.0, fit (2 + 1) / 2 = 1.5.
    # Weighted: (30·4.5 + 30·3.5 + 25·4 + 15·1.5) / 100 = (135 + 105 + 100 + 22.5) / 100 = 3.625
    reviews = [review(1, 10, scores(4, 3, 5, 2)), review(1, 11, scores(5, 4, 3, 1))]

    [row] = ranked([application(1)], reviews)

    assert row.criterion_means == pytest.approx({EXCELLENCE: 4.5, NEED: 3.5, TEAM: 4.0, FIT: 1.5})
    assert review_total(row.criterion_means, WEIGHTS) == pytest.approx(row.score)
    assert row.score == pytest.approx(3.625)


def test_spread_is_the_population_standard_deviation_of_review_totals():
    # Totals 2, 3 and 4: mean 3, squared deviations 1, 0, 1, variance 2/3 (divided by n = 3,
    # not n − 1), spread √(2/3) ≈ 0.816: below one point, so no disagreement.
    reviews = [review(1, 10, uniform(2)), review(1, 11, uniform(3)), review(1, 12, uniform(4))]

    [row] = ranked([application(1)], reviews)

    assert row.score == pytest.approx(3.0)
    assert row.spread == pytest.approx(math.sqrt(2 / 3))
    assert row.disagreement is False


def test_disagreement_is_flagged_at_a_spread_of_one_point():
    # Totals 2 and 4: mean 3, deviations ±1, spread exactly 1.0.
    reviews = [review(1, 10, uniform(2)), review(1, 11, uniform(4))]

    [row] = ranked([application(1)], reviews)

    assert row.spread == pytest.approx(1.0)
    assert row.disagreement is True


def test_disagreement_is_flagged_when_float_rounding_hides_a_spread_of_one_point():
    # (30·2.5 + 30·5 + 25·5 + 15·4) / 100 = 410 / 100 = 4.1 and
    # (30·4 + 30·0.5 + 25·0 + 15·5) / 100 = 210 / 100 = 2.1: spread exactly 1.0 on paper, but
    # 4.1 − 2.1 in binary floating point is 1.9999999999999996.
    reviews = [review(1, 10, scores(2.5, 5, 5, 4)), review(1, 11, scores(4, 0.5, 0, 5))]

    [row] = ranked([application(1)], reviews)

    assert row.spread == pytest.approx(1.0)
    assert row.disagreement is True


def test_disagreement_is_not_flagged_below_one_point():
    # Totals 2.5 and 4: spread 0.75.
    reviews = [review(1, 10, uniform(2.5)), review(1, 11, uniform(4))]

    [row] = ranked([application(1)], reviews)

    assert row.spread == pytest.approx(0.75)
    assert row.disagreement is False


def test_spread_of_a_single_review_is_none_without_disagreement():
    [row] = ranked([application(1)], [review(1, 10, uniform(4))])

    assert (row.score, row.spread, row.disagreement) == (pytest.approx(4.0), None, False)


# --- normalisation ---------------------------------------------------------------------
#
# A harsh reviewer (H, id 10) and a lenient one (L, id 11) review the same applications P
# (id 1) and Q (id 2) in opposite ways: H prefers Q, L prefers P. Both also review R (id 3),
# so that each has a distribution of their own (with two reviews each, every z-score is ±1).
#
#          P     Q     R     reviewer mean   reviewer spread (population)
#   H     1.0   1.5   1.0        7/6         √((1/36 + 4/36 + 1/36) / 3) = √(1/18) = √2/6
#   L     5.0   4.0   3.0        4           √((1 + 0 + 1) / 3) = √(2/3)
#
# Raw scores: P = (1 + 5) / 2 = 3.0, Q = (1.5 + 4) / 2 = 2.75, R = (1 + 3) / 2 = 2.0.
#
# z-scores: H: P = (1 − 7/6) / (√2/6) = −1/√2, Q = (1.5 − 7/6) / (√2/6) = √2, R = −1/√2;
#           L: P = (5 − 4) / √(2/3) = √6/2, Q = 0, R = −√6/2.
# Mapped back onto the scale through the mean and spread of all six totals:
#   M = (1 + 1.5 + 1 + 5 + 4 + 3) / 6 = 15.5 / 6 = 31/12
#   deviations in twelfths: −19, −13, −19, 29, 17, 5; squares 361 + 169 + 361 + 841 + 289 + 25
#   = 2046; variance 2046 / 144 / 6 = 341/144; S = √341 / 12 ≈ 1.5388
# Normalised scores (mean of each application's two corrected totals, M + S · mean z):
#   P = M + S (√6/2 − 1/√2) / 2 = M + S (√6 − √2) / 4 ≈ 2.9816
#   Q = M + S (√2 + 0) / 2      = M + S / √2          ≈ 3.6715
#   R = M − S (√6/2 + 1/√2) / 2 = M − S (√6 + √2) / 4 ≈ 1.0969
# so Q overtakes P: H's preference for Q is stronger within H's own narrow range.
HARSH, LENIENT = 10, 11
P, Q, R = 1, 2, 3
HARSH_AND_LENIENT = [
    review(P, HARSH, uniform(1.0)),
    review(Q, HARSH, uniform(1.5)),
    review(R, HARSH, uniform(1.0)),
    review(P, LENIENT, uniform(5.0)),
    review(Q, LENIENT, uniform(4.0)),
    review(R, LENIENT, uniform(3.0)),
]
M = 31 / 12
S = math.sqrt(341) / 12
ROOT2, ROOT6 = math.sqrt(2), math.sqrt(6)


def test_normalised_totals_are_reviewer_z_scores_mapped_onto_the_overall_scale():
    corrected = normalised_totals(HARSH_AND_LENIENT, WEIGHTS)

    assert corrected == pytest.approx(
        {
            0: M - S / ROOT2,  # H on P
            1: M + S * ROOT2,  # H on Q
            2: M - S / ROOT2,  # H on R
            3: M + S * ROOT6 / 2,  # L on P
            4: M,  # L on Q: L's own mean, z = 0
            5: M - S * ROOT6 / 2,  # L on R
        }
    )
    assert sum(corrected.values()) / 6 == pytest.approx(M)  # z-scores of each reviewer sum to 0


def test_raw_ranking_follows_the_lenient_reviewer():
    rows = ranked([application(P), application(Q), application(R)], HARSH_AND_LENIENT)

    assert [row.application.id for row in rows] == [P, Q, R]
    assert [row.score for row in rows] == pytest.approx([3.0, 2.75, 2.0])
    # Spreads: |5 − 1| / 2 = 2, |4 − 1.5| / 2 = 1.25, |3 − 1| / 2 = 1.
    assert [row.spread for row in rows] == pytest.approx([2.0, 1.25, 1.0])
    assert [row.rank for row in rows] == [1, 2, 3]


def test_normalised_ranking_corrects_harsh_and_lenient_reviewers():
    rows = ranked(
        [application(P), application(Q), application(R)], HARSH_AND_LENIENT, normalise=True
    )

    assert [row.application.id for row in rows] == [Q, P, R]
    assert [row.score for row in rows] == pytest.approx(
        [M + S / ROOT2, M + S * (ROOT6 - ROOT2) / 4, M - S * (ROOT6 + ROOT2) / 4]
    )
    assert [row.score for row in rows] == pytest.approx([3.6715, 2.9816, 1.0969], abs=1e-4)
    # Spreads of the corrected totals: Q |√2 − 0| S / 2, P (√6/2 + 1/√2) S / 2,
    # R (√6/2 − 1/√2) S / 2 ≈ 0.40, which is no longer a disagreement.
    assert [row.spread for row in rows] == pytest.approx(
        [S * ROOT2 / 2, S * (ROOT6 + ROOT2) / 4, S * (ROOT6 - ROOT2) / 4]
    )
    assert [row.disagreement for row in rows] == [True, True, False]
    # The criterion means stay the reviewers' own scores.
    assert rows[0].criterion_means == pytest.approx(uniform(2.75))


def test_reviewer_whose_scores_are_all_equal_gets_z_zero():
    # Reviewer 12 gives 3 to both applications: no spread, so z = 0 and both corrected totals
    # are the overall mean of all totals, (1 + 5 + 3 + 3 + 2 + 4) / 6 = 3.
    reviews = [
        review(1, 10, uniform(1)),
        review(2, 10, uniform(5)),
        review(1, 12, uniform(3)),
        review(2, 12, uniform(3)),
        review(1, 11, uniform(2)),
        review(2, 11, uniform(4)),
    ]

    corrected = normalised_totals(reviews, WEIGHTS)

    assert corrected[2] == pytest.approx(3.0)
    assert corrected[3] == pytest.approx(3.0)


def test_normalised_totals_of_a_single_review_are_its_raw_total():
    assert normalised_totals([review(1, 10, scores(4, 3, 5, 2))], WEIGHTS) == pytest.approx(
        {0: 3.65}
    )


# --- ties and applications without reviews ---------------------------------------------


def test_ties_are_broken_by_the_excellence_mean():
    # Both total (30·4 + 30·3 + 25·3 + 15·3) / 100 = (30·3 + 30·4 + 25·3 + 15·3) / 100 = 3.3;
    # application 2 has the higher excellence mean although 1 was submitted first.
    earlier, later = application(1), application(2, submitted_at=SUBMITTED + timedelta(days=1))
    reviews = [review(1, 10, scores(3, 4, 3, 3)), review(2, 10, scores(4, 3, 3, 3))]

    rows = ranked([earlier, later], reviews)

    assert [row.application.id for row in rows] == [2, 1]
    assert [row.score for row in rows] == pytest.approx([3.3, 3.3])


def test_ties_are_broken_by_the_excellence_mean_despite_float_rounding():
    # Application 1: totals (30·2 + 30·1 + 25·5 + 15·4.5) / 100 = 2.825 and
    # (30·0 + 30·2.5 + 25·0.5 + 15·0.5) / 100 = 0.95, mean 1.8875; excellence (2 + 0) / 2 = 1.
    # Application 2: totals (30·0.5 + 30·2 + 25·2.5 + 15·1.5) / 100 = 1.6 and
    # (30·2 + 30·4 + 25·0 + 15·2.5) / 100 = 2.175, mean 1.8875; excellence (0.5 + 2) / 2 = 1.25.
    # In floating point the first mean comes out as 1.8875000000000002, a hair above the second.
    reviews = [
        review(1, 10, scores(2, 1, 5, 4.5)),
        review(1, 11, scores(0, 2.5, 0.5, 0.5)),
        review(2, 10, scores(0.5, 2, 2.5, 1.5)),
        review(2, 11, scores(2, 4, 0, 2.5)),
    ]

    rows = ranked([application(1), application(2)], reviews)

    assert [row.application.id for row in rows] == [2, 1]
    assert [row.score for row in rows] == pytest.approx([1.8875, 1.8875])


def test_ties_with_equal_excellence_are_broken_by_the_earlier_submission():
    later = application(1, submitted_at=SUBMITTED + timedelta(seconds=1))
    earlier = application(2, submitted_at=SUBMITTED)
    reviews = [review(1, 10, scores(4, 3, 3, 3)), review(2, 10, scores(4, 3, 3, 3))]

    rows = ranked([later, earlier], reviews)

    assert [row.application.id for row in rows] == [2, 1]


def test_ties_with_equal_submission_times_are_broken_by_id():
    reviews = [review(7, 10, uniform(4)), review(3, 10, uniform(4)), review(5, 10, uniform(4))]

    rows = ranked([application(7), application(3), application(5)], reviews)

    assert [row.application.id for row in rows] == [3, 5, 7]
    assert [row.rank for row in rows] == [1, 2, 3]


def test_applications_without_submitted_reviews_rank_last_with_missing_reviews():
    # Application 1 has no review and was submitted first; 3 has a low score; 2 has none either.
    applications = [
        application(1, submitted_at=SUBMITTED - timedelta(days=2)),
        application(2, submitted_at=SUBMITTED - timedelta(days=1)),
        application(3),
    ]
    reviews = [review(3, 10, uniform(0.5))]

    rows = ranked(applications, reviews, expected=3)

    assert [row.application.id for row in rows] == [3, 1, 2]
    assert [(row.rank, row.score, row.spread, row.disagreement) for row in rows[1:]] == [
        (2, None, None, False),
        (3, None, None, False),
    ]
    assert [(row.submitted, row.expected, row.missing_reviews) for row in rows] == [
        (1, 3, 2),
        (0, 3, 3),
        (0, 3, 3),
    ]
    assert [row.criterion_means for row in rows[1:]] == [{}, {}]


def test_application_with_a_zero_score_ranks_above_one_without_reviews():
    rows = ranked([application(1), application(2)], [review(2, 10, uniform(0))])

    assert [(row.application.id, row.score) for row in rows] == [(2, 0.0), (1, None)]
