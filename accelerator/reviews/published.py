"""The published record of a call's review: its ranking and the anonymised comments as they
stood at publication. After it, nothing that happens (a late conflict of interest, a project
withdrawing) changes what was published; the programme office is told instead.
"""

from dataclasses import fields
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.extensions import db
from accelerator.reviews.comments import (
    Comments,
    anonymised_reviews,
    anonymised_reviews_of_call,
)
from accelerator.reviews.conflicts import confirmed_conflicts
from accelerator.reviews.enums import ReviewStatus
from accelerator.reviews.models import Assignment, PublishedRanking, Review
from accelerator.reviews.ranking import RankedApplication, live_ranking


def freeze_ranking(call: Call, *, now: datetime) -> int:
    """Records the call's ranking (raw and normalised) and each ranked application's comments
    (flushed, not committed: publishing commits); returns how many applications it holds."""
    raw = live_ranking(call, normalise=False)
    normalised = {row.application.id: row for row in live_ranking(call, normalise=True)}
    excluded = _conflicted_reviewed_pairs(call)
    comments = anonymised_reviews_of_call(call)
    for row in raw:
        db.session.add(
            PublishedRanking(
                application_id=row.application.id,
                call_id=call.id,
                published_at=now,
                ranking={
                    "raw": _plain(row),
                    "normalised": _plain(normalised[row.application.id]),
                    # Whose reviews the ranking already left out, so that only conflicts found
                    # later are reported as found after publication.
                    "excluded_reviewers": sorted(
                        reviewer_id
                        for reviewer_id, application_id in excluded
                        if application_id == row.application.id
                    ),
                },
                comments=_plain_comments(comments.get(row.application.id, [])),
            )
        )
    db.session.flush()
    return len(raw)


def _plain(row: RankedApplication) -> dict:
    values = {field.name: getattr(row, field.name) for field in fields(row)}
    del values["application"]
    values["criterion_means"] = {str(key): mean for key, mean in row.criterion_means.items()}
    return values


def _plain_comments(comments: Comments) -> Comments:
    """JSON keeps text keys and no Decimal: criterion ids and scores become text."""
    return [
        {
            **review,
            "criteria": {
                str(criterion_id): {**given, "score": _text(given["score"])}
                for criterion_id, given in review["criteria"].items()
            },
        }
        for review in comments
    ]


def _text(score: Decimal | None) -> str | None:
    return None if score is None else str(score)


def published_comments(application_id: int) -> Comments | None:
    """The comments the applicants were shown at publication, as anonymised_reviews gives them;
    None when none were recorded (results published before the record existed)."""
    recorded = db.session.scalar(
        select(PublishedRanking.comments).where(PublishedRanking.application_id == application_id)
    )
    if recorded is None:
        return None
    return [
        {
            **review,
            "criteria": {
                int(criterion_id): {
                    **given,
                    "score": None if given["score"] is None else Decimal(given["score"]),
                }
                for criterion_id, given in review["criteria"].items()
            },
        }
        for review in recorded
    ]


def _conflicted_reviewed_pairs(call: Call) -> set[tuple[int, int]]:
    """(reviewer_id, application_id) of the call's submitted reviews whose pair is now in a
    conflict that stands."""
    pairs = db.session.execute(
        select(Assignment.reviewer_id, Assignment.application_id)
        .join(Review, Review.assignment_id == Assignment.id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.call_id == call.id, Review.status == ReviewStatus.SUBMITTED)
    ).all()
    if not pairs:
        return set()
    conflicted = confirmed_conflicts(call.id, sorted({reviewer_id for reviewer_id, _a in pairs}))
    return {(reviewer_id, application_id) for reviewer_id, application_id in pairs} & conflicted


def comments_shown(application: Application) -> Comments:
    """What the applicants read: the comments as published, whatever happened since (and, for
    results published before the record existed, the comments as they are)."""
    published = published_comments(application.id)
    return published if published is not None else anonymised_reviews(application)


def reviewed_pairs_now_conflicted(call: Call) -> list[tuple[User, Application]]:
    """Submitted reviews whose reviewer has come into conflict with the application since the
    results were published: the published record stands, the programme office is told."""
    excluded_then = {
        (reviewer_id, application_id)
        for application_id, ranking in db.session.execute(
            select(PublishedRanking.application_id, PublishedRanking.ranking).where(
                PublishedRanking.call_id == call.id
            )
        )
        for reviewer_id in ranking.get("excluded_reviewers", [])
    }
    found = sorted(_conflicted_reviewed_pairs(call) - excluded_then)
    if not found:
        return []
    people = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({reviewer_id for reviewer_id, _a in found}))
        ).unique()
    }
    applications = {
        application.id: application
        for application in db.session.scalars(
            select(Application).where(Application.id.in_({a for _r, a in found}))
        ).unique()
    }
    return [(people[r], applications[a]) for r, a in sorted(found)]
