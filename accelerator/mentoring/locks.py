"""The locks a booking takes first: the project's hours, then the mentor's calendar.

PostgreSQL locks the project's row and then the mentor's profile row, always in that order, so
two bookings never wait on each other in a circle (and the exclusion constraint on
mentoring_sessions refuses an overlap whatever happens); SQLite has one writer, so the write lock
is taken at once (BEGIN IMMEDIATE) instead of at the first write. Whoever waits reads the
others' committed work.
"""

from sqlalchemy import select

from accelerator.cohorts.locks import lock_project
from accelerator.core.transactions import take_sqlite_write_lock
from accelerator.extensions import db
from accelerator.mentoring.models import MentorProfile


def lock_booking(*, project_id: int | None, mentor_id: int) -> MentorProfile:
    """Serialises the bookings of the project and of the mentor until the caller commits."""
    if take_sqlite_write_lock():
        return db.session.get(MentorProfile, mentor_id, populate_existing=True)
    if project_id is not None:
        lock_project(project_id)
    return db.session.scalars(
        select(MentorProfile)
        .where(MentorProfile.id == mentor_id)
        .with_for_update(of=MentorProfile)  # not the joined user and organisation
        .execution_options(populate_existing=True)
    ).one()


def lock_mentor(mentor_id: int) -> MentorProfile:
    """Serialises the bookings of the mentor until the caller commits or rolls back."""
    return lock_booking(project_id=None, mentor_id=mentor_id)
