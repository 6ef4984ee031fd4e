"""The one lock that every decision and the publishing of results take first.

PostgreSQL locks the programme row; SQLite has one writer, so the write lock is taken at once
(BEGIN IMMEDIATE) instead of at the first write. Whoever waits reads the others' committed work.
"""

import functools

from sqlalchemy import select

from accelerator.calls.models import Programme
from accelerator.core.errors import DomainError
from accelerator.extensions import db


def lock_programme(programme_id: int) -> Programme:
    """Serialises the decisions and publications of the programme until the caller commits."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()  # nothing may be pending before the write lock is taken
        db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        return db.session.get(Programme, programme_id)
    return db.session.scalars(
        select(Programme)
        .where(Programme.id == programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def releases_lock_on_refusal(service):
    """A refused decision rolls back at once, so the lock is not held until the request ends."""

    @functools.wraps(service)
    def refusing(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except DomainError:
            db.session.rollback()
            raise

    return refusing
