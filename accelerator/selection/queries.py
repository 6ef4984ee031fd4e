"""Read queries for results shown to applicants."""

from collections import defaultdict

from sqlalchemy import select

from accelerator.applications.models import Application
from accelerator.extensions import db
from accelerator.reviews.conflicts import confirmed_conflicts
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, Review


def anonymised_reviews(application: Application) -> list[dict]:
    """Submitted reviews as "Reviewer A", "Reviewer B"…: comments and scores, never who. A
    review whose reviewer was found in conflict with the application after submitting is not
    shown, as the ranking leaves it out."""
    submitted = (
        db.session.scalars(
            select(Review)
            .join(Assignment, Assignment.id == Review.assignment_id)
            .where(
                Assignment.application_id == application.id,
                Review.status == ReviewStatus.SUBMITTED,
            )
            .order_by(Review.id)
        )
        .unique()
        .all()
    )
    conflicted = confirmed_conflicts(
        application.call_id, sorted({review.assignment.reviewer_id for review in submitted})
    )
    reviews = [
        review
        for review in submitted
        if (review.assignment.reviewer_id, application.id) not in conflicted
    ]
    result = []
    for index, review in enumerate(reviews):
        by_criterion = defaultdict(dict)
        for score in review.scores:
            by_criterion[score.criterion_id] = {"score": score.score, "comment": score.comment}
        result.append(
            {
                "label": chr(ord("A") + index) if index < 26 else str(index + 1),
                "criteria": by_criterion,
                "overall_comment": review.overall_comment,
            }
        )
    return result
