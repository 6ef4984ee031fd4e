"""The locks a booking takes first: the project's hours, then the resource's calendar.

PostgreSQL locks the project's row and then the resource's row, always in that order (the
exclusion constraint on lab_bookings refuses an overlap whatever happens); SQLite has one writer,
so the write lock is taken at once (BEGIN IMMEDIATE). Whoever waits reads the others' work.
"""

from sqlalchemy import select

from accelerator.cohorts.locks import lock_project
from accelerator.core.transactions import take_sqlite_write_lock
from accelerator.extensions import db
from accelerator.labs.models import Resource


def lock_resource_booking(*, project_id: int | None, resource_id: int) -> Resource:
    """Serialises the bookings of the project and of the resource until the caller commits."""
    if take_sqlite_write_lock():
        return db.session.get(Resource, resource_id, populate_existing=True)
    if project_id is not None:
        lock_project(project_id)
    return db.session.scalars(
        select(Resource)
        .where(Resource.id == resource_id)
        .with_for_update(of=Resource)
        .execution_options(populate_existing=True)
    ).one()
