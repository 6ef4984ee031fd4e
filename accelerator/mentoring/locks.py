"""The lock a booking takes first: one mentor's calendar at a time.

PostgreSQL locks the mentor's profile row (and the exclusion constraint on mentoring_sessions
refuses an overlap whatever happens); SQLite has one writer, so the write lock is taken at once
(BEGIN IMMEDIATE) instead of at the first write. Whoever waits reads the others' committed work.
"""

from sqlalchemy import select

from accelerator.extensions import db
from accelerator.mentoring.models import MentorProfile


def lock_mentor(mentor_id: int) -> MentorProfile:
    """Serialises the bookings of the mentor until the caller commits or rolls back."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()  # nothing may be pending before the write lock is taken
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return db.session.get(MentorProfile, mentor_id, populate_existing=True)
    return db.session.scalars(
        select(MentorProfile)
        .where(MentorProfile.id == mentor_id)
        .with_for_update(of=MentorProfile)  # not the joined user and organisation
        .execution_options(populate_existing=True)
    ).one()
