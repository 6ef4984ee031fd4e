"""The locks a project's bookings (mentoring sessions, lab time) take first: the project's hours,
then the calendar booked (a mentor, a lab resource).

PostgreSQL locks the project's row and then the calendar's row, always in that order, so two
bookings never wait on each other in a circle; SQLite has one writer, so its write lock is taken
at once (BEGIN IMMEDIATE). Whoever waits reads the others' committed work.
"""

from sqlalchemy import select

from accelerator.cohorts.models import Project
from accelerator.core.transactions import take_sqlite_write_lock
from accelerator.extensions import db


def lock_project(project_id: int) -> None:
    """PostgreSQL: holds the project's row until commit, so that two bookings of the project
    count its hours one after the other. FOR NO KEY UPDATE leaves foreign-key checks of other
    rows pointing at the project free to proceed."""
    db.session.execute(
        select(Project.id)
        .where(Project.id == project_id)
        .with_for_update(of=Project, key_share=True)
    )


def lock_for_booking(calendar_model, calendar_id: int, *, project_id: int):
    """Serialises the bookings of the project and of the calendar (a row of `calendar_model`)
    until the caller commits; returns that row, freshly read."""
    if take_sqlite_write_lock():
        return db.session.get(calendar_model, calendar_id, populate_existing=True)
    lock_project(project_id)
    return db.session.scalars(
        select(calendar_model)
        .where(calendar_model.id == calendar_id)
        .with_for_update(of=calendar_model)  # not its joined relationships
        .execution_options(populate_existing=True)
    ).one()
