"""Writing a review: a score and a comment per criterion, an overall comment, a recommendation.

Drafts save whatever is there; submitting needs everything, and so does every later save of a
submitted review. Both stop at the review deadline.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import format_datetime
from flask_babel import gettext as _

from accelerator.accounts.models import User
from accelerator.calls.locks import lock_call
from accelerator.calls.models import Call, RubricCriterion
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError, NotAllowed
from accelerator.core.transactions import releases_lock_on_refusal
from accelerator.extensions import db
from accelerator.reviews import policies
from accelerator.reviews.assignment import review_of
from accelerator.reviews.conflicts import is_conflicted
from accelerator.reviews.enums import Recommendation, ReviewStatus
from accelerator.reviews.models import Assignment, CriterionScore, Review


class ReviewDeadlinePassed(DomainError):
    """The review phase is over: deadline passed, closed early or results published."""


class ReviewIncomplete(DomainError):
    """Carries the form fields that need attention, each with its message."""

    def __init__(self, message: str, problems: dict[str, str]):
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class CriterionInput:
    score: Decimal | None
    comment: str


def allowed_scores(criterion: RubricCriterion) -> list[Decimal]:
    """0 to the criterion's maximum in its steps (half points by default)."""
    steps = int(criterion.scale_max / criterion.scale_step)
    return [criterion.scale_step * index for index in range(steps + 1)]


def is_on_scale(score: Decimal, criterion: RubricCriterion) -> bool:
    # NaN and infinities first: comparing a signalling NaN raises instead of answering.
    return score.is_finite() and score in allowed_scores(criterion)


def why_reviews_are_locked(call: Call, now: datetime) -> str | None:
    """What a reviewer reads when the call's reviews can no longer change; None while they can."""
    if policies.is_review_editable(call, now):
        return None
    if call.results_published_at is not None:
        return _(
            "The results of this call were published on %(when)s (Madrid time): reviews can no "
            "longer change.",
            when=format_datetime(call.results_published_at, "medium"),
        )
    if call.review_closed_at is not None:
        return _(
            "The programme office closed the review phase on %(when)s (Madrid time); reviews "
            "are read-only now.",
            when=format_datetime(call.review_closed_at, "medium"),
        )
    return _(
        "The review deadline passed on %(when)s (Madrid time); reviews are read-only now.",
        when=format_datetime(call.review_deadline, "medium"),
    )


@releases_lock_on_refusal
def save_review(
    assignment: Assignment,
    *,
    scores: dict[int, CriterionInput],
    overall_comment: str,
    recommendation: str | None,
    submit: bool,
    by: User,
    now: datetime,
) -> Review:
    application = assignment.application
    if not policies.can_review(by, assignment, conflicted=is_conflicted(by, application)):
        raise NotAllowed()
    call = lock_call(application.call_id, shared=True)
    locked = why_reviews_are_locked(call, now)
    if locked:
        raise ReviewDeadlinePassed(locked)
    existing = review_of(assignment)
    # A submitted review stays complete: saving it "as a draft" must not empty a field.
    complete = submit or (existing is not None and existing.status == ReviewStatus.SUBMITTED)
    problems = _problems(call.criteria, scores, overall_comment, recommendation, submit=complete)
    if problems:
        message = (
            _("The review is not complete: see the marked fields.")
            if complete
            else _("Some scores are not on the criterion's scale.")
        )
        raise ReviewIncomplete(message, problems)
    review = existing or _new_review(assignment, now=now)
    current = {criterion.id for criterion in call.criteria}
    # Scores of criteria a rubric change replaced (while only drafts existed) go: SQLite does
    # not cascade the criteria's deletion to them.
    for stale in [score for score in review.scores if score.criterion_id not in current]:
        review.scores.remove(stale)
    by_criterion = {score.criterion_id: score for score in review.scores}
    for criterion in call.criteria:
        given = scores.get(criterion.id, CriterionInput(None, ""))
        row = by_criterion.get(criterion.id)
        if row is None:
            row = CriterionScore(criterion_id=criterion.id)
            review.scores.append(row)
        row.score = given.score
        row.comment = given.comment.strip()
    review.overall_comment = overall_comment.strip()
    review.recommendation = Recommendation(recommendation) if recommendation else None
    review.updated_at = now
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = now
        record_audit(
            "review.submitted",
            by=by,
            object_type="application",
            object_id=application.id,
            now=now,
            details={"review_id": review.id},
        )
    db.session.commit()
    return review


def _new_review(assignment: Assignment, *, now: datetime) -> Review:
    review = Review(assignment_id=assignment.id, created_at=now, updated_at=now)
    db.session.add(review)
    db.session.flush()
    return review


def _problems(criteria, scores, overall_comment, recommendation, *, submit: bool) -> dict:
    problems = {}
    for criterion in criteria:
        given = scores.get(criterion.id, CriterionInput(None, ""))
        if given.score is not None and not is_on_scale(given.score, criterion):
            problems[f"score_{criterion.id}"] = _(
                "Give a score from 0 to %(max)s in steps of %(step)s.",
                max=criterion.scale_max,
                step=criterion.scale_step,
            )
        elif submit and given.score is None:
            problems[f"score_{criterion.id}"] = _("Give a score.")
        if submit and not given.comment.strip():
            problems[f"comment_{criterion.id}"] = _("Explain the score in a comment.")
    if submit and not overall_comment.strip():
        problems["overall_comment"] = _("Write an overall comment.")
    if recommendation and recommendation not in set(Recommendation):
        problems["recommendation"] = _("Choose one of the recommendations.")
    elif submit and not recommendation:
        problems["recommendation"] = _("Choose a recommendation.")
    return problems


def parse_score(text: str | None) -> Decimal | None:
    """A score as typed or chosen; unreadable or non-finite text is kept as an out-of-scale
    value."""
    if text in (None, ""):
        return None
    try:
        score = Decimal(text)
    except InvalidOperation:
        return Decimal("-1")
    return score if score.is_finite() else Decimal("-1")
