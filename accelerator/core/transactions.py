"""Transaction helpers shared by the areas that serialise writes behind a lock or a
conditional update."""

import functools

from sqlalchemy import update

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


def update_while(model, row_id: int, *conditions, values: dict) -> bool:
    """Writes `values` to one row in a single UPDATE that applies only while `conditions` hold;
    whether it applied. Of two requests that change one row at the same instant, exactly one
    sees it change: the other's UPDATE waits for the first to commit, then matches nothing."""
    changed = db.session.execute(
        update(model)
        .where(model.id == row_id, *conditions)
        .values(values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


def change_status(row, *, from_statuses, values: dict, still=()) -> bool:
    """update_while for a lifecycle: applies only while the row's status is one of
    `from_statuses` (and the `still` conditions hold). The row is refreshed either way, so the
    caller reads what happened."""
    model = type(row)
    changed = update_while(
        model, row.id, model.status.in_(tuple(from_statuses)), *still, values=values
    )
    db.session.refresh(row)
    return changed


def statuses_leading_to(next_statuses: dict, status) -> tuple:
    """The statuses a lifecycle's NEXT table lets a row move to `status` from: what a
    change_status call accepts, so that the table stays the one statement of the rules."""
    return tuple(source for source, targets in next_statuses.items() if status in targets)
