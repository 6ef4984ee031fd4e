"""The lock on a call's row that saving a review and ending the review phase agree on.

A review is saved holding the call's row shared; publishing (and the early close, whose
conditional UPDATE takes the row) holds it exclusively. So no review is saved after the phase
ended, and none is missed by the publication that read them. SQLite has one writer: its write
lock, taken at once (BEGIN IMMEDIATE), serialises them all.
"""

from sqlalchemy import select

from accelerator.calls.models import Call
from accelerator.core.transactions import take_sqlite_write_lock
from accelerator.extensions import db


def lock_call(call_id: int, *, shared: bool) -> Call:
    """The call as it stands, its row held until the caller commits; returns it freshly read."""
    if take_sqlite_write_lock():
        return db.session.get(Call, call_id, populate_existing=True)
    return db.session.scalars(
        select(Call)
        .where(Call.id == call_id)
        .with_for_update(read=shared, of=Call)
        .execution_options(populate_existing=True)
    ).one()
