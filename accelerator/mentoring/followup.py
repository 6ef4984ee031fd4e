"""After a session: the mentor's notes and action items, the project's rating.

Notes are read by the project's members, the session's mentor and managers. A rating's score and
comment are read by managers (and the project that gave it); a mentor sees only the average of
their ratings, and only once there are at least MINIMUM_RATINGS_SHOWN of them.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import User
from accelerator.cohorts.models import Project
from accelerator.core.audit import record_audit
from accelerator.core.errors import DomainError
from accelerator.core.policies import require
from accelerator.extensions import db
from accelerator.mentoring import policies
from accelerator.mentoring.enums import MINIMUM_RATINGS_SHOWN, SessionStatus
from accelerator.mentoring.models import MentoringSession, MentorProfile, SessionFeedback


class SessionNotHeld(DomainError):
    pass


class NotesEmpty(DomainError):
    pass


class RatingOutOfRange(DomainError):
    pass


class AlreadyRated(DomainError):
    pass


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: Decimal | None  # None while there are too few ratings to show


def save_notes(
    session: MentoringSession, *, notes: str, action_items: str, by: User, now: datetime
) -> MentoringSession:
    """The mentor records what was discussed and agreed, once the session was held; they may
    correct it later."""
    require(policies.can_write_notes(by, db.session.get(MentorProfile, session.mentor_id)))
    if session.status != SessionStatus.HELD:
        raise SessionNotHeld(_("Notes are written once the session is marked held."))
    if not notes.strip() and not action_items.strip():
        raise NotesEmpty(_("Write the notes or at least one action item."))
    session.notes = notes.strip()
    session.action_items = "\n".join(
        line.strip() for line in action_items.splitlines() if line.strip()
    )
    session.notes_updated_at = now
    record_audit(
        "mentoring_session.notes_saved",
        by=by,
        object_type="mentoring_session",
        object_id=session.id,
        now=now,
    )
    db.session.commit()
    return session


def rate_session(
    session: MentoringSession, *, rating: int | None, comment: str, by: User, now: datetime
) -> SessionFeedback:
    """A project member rates a session that took place 1–5, once for the project."""
    require(policies.can_rate_session(by, db.session.get(Project, session.project_id)))
    if not is_over(session, now=now):
        raise SessionNotHeld(_("Sessions are rated once they have been held."))
    if rating is None or not 1 <= rating <= 5:
        raise RatingOutOfRange(_("Rate the session from 1 to 5."))
    feedback = SessionFeedback(
        session_id=session.id,
        rating=rating,
        comment=comment.strip(),
        given_by_id=by.id,
        created_at=now,
    )
    db.session.add(feedback)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyRated(_("This session has already been rated.")) from error
    record_audit(
        "mentoring_session.rated",
        by=by,
        object_type="mentoring_session",
        object_id=session.id,
        now=now,
        details={"rating": rating},
    )
    db.session.commit()
    return feedback


def is_over(session: MentoringSession, *, now: datetime) -> bool:
    """Held, or confirmed and past its end (the mentor may not have marked it held yet)."""
    return session.status == SessionStatus.HELD or (
        session.status == SessionStatus.CONFIRMED and now >= session.ends_at
    )


def rating_summary(mentor_id: int) -> RatingSummary:
    """What a mentor may see of their ratings: the count, and the average from three on."""
    count, average = db.session.execute(
        select(func.count(SessionFeedback.id), func.avg(SessionFeedback.rating))
        .join(MentoringSession, MentoringSession.id == SessionFeedback.session_id)
        .where(MentoringSession.mentor_id == mentor_id)
    ).one()
    if count < MINIMUM_RATINGS_SHOWN:
        return RatingSummary(count=count, average=None)
    return RatingSummary(count=count, average=Decimal(str(average)).quantize(Decimal("0.1")))
