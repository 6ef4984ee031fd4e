"""Reminders to reviewers with unsubmitted reviews, 7, 3 and 1 days before the deadline."""

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from accelerator.applications.models import Application
from accelerator.calls.models import Call
from accelerator.core.mail import queue_email
from accelerator.extensions import db
from accelerator.reviews import policies
from accelerator.reviews.conflicts import conflicts_in_call
from accelerator.reviews.enums import REMINDER_THRESHOLDS, ReviewStatus
from accelerator.reviews.models import Assignment, ReminderSent, Review


def current_threshold(deadline: datetime, now: datetime) -> int | None:
    """The smallest threshold (in days) the deadline is within, or None outside them all."""
    if now >= deadline:
        return None
    within = [days for days in REMINDER_THRESHOLDS if deadline - now <= timedelta(days=days)]
    return min(within) if within else None


def send_review_reminders(*, now: datetime) -> int:
    """Emails each reviewer once per threshold, listing what is still to submit.

    A ReminderSent row (unique per reviewer, call and threshold) records each email, so running
    the command again, even the same day, sends nothing new.
    """
    calls = db.session.scalars(select(Call).where(Call.review_deadline > now)).all()
    sent = 0
    for call in calls:
        if not policies.is_review_editable(call, now):
            continue  # closed early or published: nothing is left to submit
        threshold = current_threshold(call.review_deadline, now)
        if threshold is None:
            continue
        for reviewer, titles in _pending_by_reviewer(call).items():
            if _already_reminded(reviewer.id, call.id, threshold):
                continue
            db.session.add(
                ReminderSent(
                    reviewer_id=reviewer.id, call_id=call.id, days_before=threshold, sent_at=now
                )
            )
            queue_email(
                reviewer.email,
                _(
                    "Reminder: %(count)d review(s) due for %(call)s",
                    count=len(titles),
                    call=call.title,
                ),
                "review_reminder",
                now=now,
                reviewer=reviewer,
                call=call,
                titles=titles,
                days=threshold,
            )
            sent += 1
    db.session.commit()
    return sent


def _pending_by_reviewer(call: Call) -> dict:
    """Each reviewer's unsubmitted reviews of the call, without those they are conflicted with:
    a reminder must not name an application the reviewer may not see."""
    rows = db.session.execute(
        select(Assignment, Review.status)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Application.call_id == call.id, Assignment.declined_at.is_(None))
        .order_by(Assignment.reviewer_id, Assignment.application_id)
    ).unique()
    unsubmitted = [assignment for assignment, status in rows if status != ReviewStatus.SUBMITTED]
    conflicted = conflicts_in_call(
        call.id, reviewer_ids=sorted({assignment.reviewer_id for assignment in unsubmitted})
    )
    pending = defaultdict(list)
    for assignment in unsubmitted:
        if (assignment.reviewer_id, assignment.application_id) not in conflicted:
            pending[assignment.reviewer].append(assignment.application.title)
    return pending


def _already_reminded(reviewer_id: int, call_id: int, threshold: int) -> bool:
    return (
        db.session.scalar(
            select(ReminderSent.id).where(
                ReminderSent.reviewer_id == reviewer_id,
                ReminderSent.call_id == call_id,
                ReminderSent.days_before == threshold,
            )
        )
        is not None
    )
