"""Emails `flask send-reminders` sends about mentoring sessions: a reminder the day before, and
a request for the project's rating once the session took place.

Each goes out once per session. A run claims a session with a conditional UPDATE (the timestamp
is set only while it is still empty) and emails only when its UPDATE changed the row, so a second
run, even one at the same instant, finds the session already claimed.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from accelerator.extensions import db
from accelerator.mentoring.enums import SessionStatus
from accelerator.mentoring.models import MentoringSession, SessionFeedback
from accelerator.mentoring.notices import everyone, notify, project_people

REMINDER_NOTICE = timedelta(hours=24)
# Older sessions get no request: a first run on past data must not email about months-old ones.
FEEDBACK_REQUEST_WINDOW = timedelta(days=14)


def send_session_reminders(*, now: datetime) -> int:
    """Reminds both sides of each confirmed session starting within the next 24 hours, once.

    A session moved to another time is reminded again (accepting a new time clears
    reminder_sent_at). Returns how many sessions were reminded.
    """
    due = (
        MentoringSession.status == SessionStatus.CONFIRMED,
        MentoringSession.starts_at > now,
        MentoringSession.starts_at <= now + REMINDER_NOTICE,
        MentoringSession.reminder_sent_at.is_(None),
    )
    reminded = 0
    for session in _candidates(due):
        if not _claim(session.id, MentoringSession.reminder_sent_at, due, now=now):
            continue
        notify(
            session,
            everyone(session),
            _("Reminder: mentoring session in the next 24 hours"),
            _("Your mentoring session takes place in the next 24 hours."),
            now=now,
        )
        reminded += 1
    db.session.commit()
    return reminded


def send_feedback_requests(*, now: datetime) -> int:
    """Asks the project, once, to rate each session that took place (held, or confirmed and
    ended) and that it has not rated yet.

    Sessions that ended more than 14 days ago are left alone and stay unmarked. Returns how many
    sessions the project was asked about.
    """
    due = (
        or_(
            MentoringSession.status == SessionStatus.HELD,
            and_(
                MentoringSession.status == SessionStatus.CONFIRMED,
                MentoringSession.ends_at <= now,
            ),
        ),
        MentoringSession.ends_at >= now - FEEDBACK_REQUEST_WINDOW,
        MentoringSession.feedback_requested_at.is_(None),
        ~exists().where(SessionFeedback.session_id == MentoringSession.id),
    )
    requested = 0
    for session in _candidates(due):
        if not _claim(session.id, MentoringSession.feedback_requested_at, due, now=now):
            continue
        notify(
            session,
            project_people(session),
            _("How was your mentoring session?"),
            _(
                "The session is over. Please rate it from 1 to 5 on the session page. The"
                " programme office reads your rating; the mentor only sees an average."
            ),
            now=now,
        )
        requested += 1
    db.session.commit()
    return requested


def _candidates(due: tuple) -> list[MentoringSession]:
    # By id, so that two concurrent runs claim rows in the same order and never deadlock.
    return list(
        db.session.scalars(select(MentoringSession).where(*due).order_by(MentoringSession.id))
    )


def _claim(session_id: int, column: InstrumentedAttribute, due: tuple, *, now: datetime) -> bool:
    """Sets the column to now if the session is still due; whether this run did it.

    The UPDATE re-checks every condition, so a session claimed, cancelled or moved by someone
    else since it was read is skipped (PostgreSQL waits for the other transaction, then re-reads
    the row; SQLite has one writer).
    """
    result = db.session.execute(
        update(MentoringSession)
        .where(MentoringSession.id == session_id, *due)
        .values({column: now})
        # The final commit expires the loaded sessions; nothing reads the column before it.
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
