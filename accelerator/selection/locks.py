"""The one lock that every decision and the publishing of results take first.

PostgreSQL locks the programme row; SQLite has one writer, so the write lock is taken at once
(BEGIN IMMEDIATE) instead of at the first write. Whoever waits reads the others' committed work.
"""

from sqlalchemy import select

from accelerator.calls.models import Programme
from accelerator.core.transactions import take_sqlite_write_lock
from accelerator.extensions import db


def lock_programme(programme_id: int) -> Programme:
    """Serialises the decisions and publications of the programme until the caller commits."""
    if take_sqlite_write_lock():
        return db.session.get(Programme, programme_id)
    return db.session.scalars(
        select(Programme)
        .where(Programme.id == programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
