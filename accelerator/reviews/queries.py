"""Read queries of the review area."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import contains_eager

from accelerator.accounts.models import User
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.calls.policies import is_review_phase_open
from accelerator.extensions import db
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, Review


def assignments_of_reviewer(reviewer_id: int) -> Select:
    """A reviewer's standing assignments with application, call and review, soonest due first."""
    return (
        select(Assignment, Review)
        .join(Assignment.application)
        .join(Application.call)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .options(contains_eager(Assignment.application).contains_eager(Application.call))
        .where(Assignment.reviewer_id == reviewer_id, Assignment.declined_at.is_(None))
        .order_by(Call.review_deadline, Assignment.id)
    )


@dataclass(frozen=True)
class ReviewerProgress:
    reviewer: User
    assigned: int
    submitted: int
    overdue: int
    declined: int


def progress_in_call(call: Call, *, now: datetime) -> list[ReviewerProgress]:
    """Per reviewer: assigned, submitted, overdue and declined, in one grouped query."""
    submitted = case((Review.status == ReviewStatus.SUBMITTED, 1), else_=0)
    active = case((Assignment.declined_at.is_(None), 1), else_=0)
    rows = db.session.execute(
        select(
            Assignment.reviewer_id,
            func.sum(active),
            func.sum(submitted),
            func.count(Assignment.id) - func.sum(active),
        )
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Application.call_id == call.id)
        .group_by(Assignment.reviewer_id)
    ).all()
    reviewers = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_([row[0] for row in rows]))
        ).unique()
    }
    past_deadline = not is_review_phase_open(call, now)  # deadline, early close, publication
    progress = [
        ReviewerProgress(
            reviewer=reviewers[reviewer_id],
            assigned=int(assigned),
            submitted=int(done),
            overdue=int(assigned) - int(done) if past_deadline else 0,
            declined=int(declined),
        )
        for reviewer_id, assigned, done, declined in rows
    ]
    return sorted(progress, key=lambda row: (row.reviewer.name.lower(), row.reviewer.id))
