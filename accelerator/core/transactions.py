"""Transaction helpers shared by the areas that serialise writes behind a lock."""

import functools

from accelerator.core.errors import DomainError
from accelerator.extensions import db


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


def take_sqlite_write_lock() -> bool:
    """On SQLite, takes the database's write lock now (BEGIN IMMEDIATE) rather than at the
    first write, so that what the caller reads next cannot change before it commits; whether
    it did (False elsewhere: PostgreSQL callers lock rows instead)."""
    if db.session.get_bind().dialect.name != "sqlite":
        return False
    db.session.rollback()  # nothing may be pending before the write lock is taken
    db.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    return True
