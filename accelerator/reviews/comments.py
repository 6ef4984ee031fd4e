"""The reviewers' comments as applicants read them: "Reviewer A", "Reviewer B"…, comments and
scores, never who. A review whose reviewer was found in conflict with the application after
submitting is left out, as the ranking leaves it out."""

from collections import defaultdict

from sqlalchemy import select

from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.extensions import db
from accelerator.reviews.conflicts import confirmed_conflicts
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, Review

Comments = list[dict]


def anonymised_reviews(application: Application) -> Comments:
    """One application's comments (its call's query, narrowed to it)."""
    return _anonymised(application.call_id, application_ids=[application.id]).get(
        application.id, []
    )


def anonymised_reviews_of_call(call: Call) -> dict[int, Comments]:
    """Every application's comments, in a fixed number of queries (for publishing)."""
    return _anonymised(call.id, application_ids=None)


def _anonymised(call_id: int, *, application_ids: list[int] | None) -> dict[int, Comments]:
    query = (
        select(Review, Assignment.application_id, Assignment.reviewer_id)
        .join(Assignment, Assignment.id == Review.assignment_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id == call_id, Review.status == ReviewStatus.SUBMITTED)
        .order_by(Review.id)
    )
    if application_ids is not None:
        query = query.where(Assignment.application_id.in_(application_ids))
    rows = db.session.execute(query).unique().all()
    conflicted = confirmed_conflicts(call_id, sorted({reviewer for _r, _a, reviewer in rows}))
    shown: dict[int, Comments] = defaultdict(list)
    for review, application_id, reviewer_id in rows:
        if (reviewer_id, application_id) in conflicted:
            continue
        index = len(shown[application_id])
        shown[application_id].append(
            {
                "label": chr(ord("A") + index) if index < 26 else str(index + 1),
                "criteria": {
                    score.criterion_id: {"score": score.score, "comment": score.comment}
                    for score in review.scores
                },
                "overall_comment": review.overall_comment,
            }
        )
    return dict(shown)
